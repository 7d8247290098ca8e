package org.dossier.patient;

import java.time.LocalDate;

/**
 * The French social security number (NIR, and the NIA of people born abroad): 13 characters and a
 * 2-digit key equal to 97 - (number mod 97), Corsican departments 2A and 2B counting as 19 and 18.
 */
public final class Nir {

    /** OIDs of the INS: real NIR and NIA, and the test range used by the demo hospital. */
    public static final String OID_INS_NIR = "1.2.250.1.213.1.4.8";
    public static final String OID_INS_NIA = "1.2.250.1.213.1.4.9";
    public static final String OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10";

    private Nir() {
    }

    /** True when {@code value} has the NIR shape (15 characters) and its key matches. */
    public static boolean isValid(String value) {
        if (value == null || !value.matches("[1-478]\\d{4}(\\d{2}|2A|2B)\\d{6}\\d{2}")) {
            return false;
        }
        return key(value.substring(0, 13)) == Integer.parseInt(value.substring(13));
    }

    /** The key of a 13-character NIR body. */
    public static int key(String body) {
        String numeric = body.replace("2A", "19").replace("2B", "18");
        long n = Long.parseLong(numeric);
        return (int) (97 - n % 97);
    }

    /** The full 15-character NIR for a 13-character body. */
    public static String withKey(String body) {
        int key = key(body);
        return body + (key < 10 ? "0" : "") + key;
    }

    /** Whether the sex digit agrees with the recorded sex (1 male, 2 female; 3, 4, 7, 8 are provisional ranges). */
    static boolean sexMatches(String nir, Sex sex) {
        char d = nir.charAt(0);
        return sex == Sex.U || (d != '1' && d != '2') || (d == '1') == (sex == Sex.M);
    }

    /** Whether the year and month digits agree with the birth date (months 20-42 and 50-99 mean "unknown"). */
    static boolean birthMatches(String nir, LocalDate birthDate) {
        int yy = Integer.parseInt(nir.substring(1, 3));
        int mm = Integer.parseInt(nir.substring(3, 5));
        boolean yearOk = yy == birthDate.getYear() % 100;
        boolean monthOk = mm < 1 || mm > 12 || mm == birthDate.getMonthValue();
        return yearOk && monthOk;
    }
}
