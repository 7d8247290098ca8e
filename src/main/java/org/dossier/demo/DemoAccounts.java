package org.dossier.demo;

import org.dossier.organization.Role;

import java.util.List;
import java.util.Set;

/**
 * The named demo accounts, one or more per role, documented in the README so that people and tools
 * can sign in. They exist only in demo mode.
 */
public final class DemoAccounts {

    /** The one password of every demo account (and of every generated staff member). */
    public static final String PASSWORD = "dossier-demo-2026";

    public record Account(String username, String displayName, Role role, Set<Integer> facilityIds, List<String> units,
                          String description) {
    }

    public static final List<Account> ALL = List.of(
            new Account("physician", "Dr Claire Martin", Role.PHYSICIAN, Set.of(1), List.of("CARDIO"),
                    "cardiologist, Hôpital Nord"),
            new Account("nurse", "Julie Bernard", Role.NURSE, Set.of(1), List.of("CARDIO"), "cardiology nurse, Hôpital Nord"),
            new Account("er.physician", "Dr Karim Benali", Role.PHYSICIAN, Set.of(1), List.of("URG"),
                    "emergency physician, Hôpital Nord"),
            new Account("frontdesk", "Sophie Petit", Role.FRONT_DESK, Set.of(1), List.of(), "admissions desk, Hôpital Nord"),
            new Account("billing", "Marc Durand", Role.BILLING, Set.of(1), List.of(), "billing clerk, Hôpital Nord"),
            new Account("physician.sud", "Dr Paul Morel", Role.PHYSICIAN, Set.of(2), List.of("CARDIO"),
                    "cardiologist, Hôpital Sud (another facility)"),
            new Account("admin", "Nadia Girard", Role.ADMIN, Set.of(1, 2, 3), List.of(), "administrator of the group"),
            new Account("security", "Yves Laurent", Role.SECURITY_OFFICER, Set.of(1, 2, 3), List.of(),
                    "security officer of the group"),
            new Account("admin2", "Hugo Lefèvre", Role.ADMIN, Set.of(1, 2, 3), List.of(),
                    "second administrator of the group (approves the grants admin requests)"));

    /**
     * Named accounts added after the generated staff, so that adding one does not renumber the ~500 generated accounts
     * (their ids are in saved benchmarks and simulations).
     */
    public static final Set<String> ADDED_AFTER_GENERATED = Set.of("admin2");

    /**
     * The demo patients enrolled in the patient portal (/portal): three patients of Hôpital Nord with appointments coming
     * with {@code physician}. Same password as the staff, TOTP secret derived from the username like theirs.
     */
    public static final List<String> PORTAL_PATIENTS = List.of("patient1", "patient2", "patient3");

    private DemoAccounts() {
    }

    /**
     * The authenticator (TOTP) secret of a demo account, derived from its username so that people, tests and
     * the simulators can compute codes: base32 of the first 20 bytes of SHA-256("dossier-demo-totp:" + username).
     * Print a current code with {@code bin/demo-totp <username>}.
     */
    public static String totpSecret(String username) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("dossier-demo-totp:" + username).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new org.apache.commons.codec.binary.Base32().encodeAsString(java.util.Arrays.copyOf(digest, 20)).replace("=", "");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
