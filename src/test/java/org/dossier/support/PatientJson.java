package org.dossier.support;

import org.dossier.patient.Nir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Valid patient records as a client would send them, to be broken one field at a time. */
public final class PatientJson {

    private static final AtomicInteger ORDER = new AtomicInteger(500);

    private PatientJson() {
    }

    /** A qualified identity with a unique INS (female, born 1984-03-07 in Lyon). */
    public static Map<String, Object> valid(String family, String given) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("birthFamilyName", family);
        p.put("usedName", null);
        p.put("givenNames", given);
        p.put("birthDate", "1984-03-07");
        p.put("sex", "F");
        p.put("birthplaceCode", "69381");
        p.put("insMatricule", uniqueNir("2", "8403", "69381"));
        p.put("insOid", Nir.OID_INS_NIR_TEST);
        p.put("identityStatus", "QUALIFIED");
        p.put("addresses", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of(
                "use", "HOME", "line", "12 rue Garibaldi", "postalCode", "69003", "city", "Lyon", "country", "FR")))));
        p.put("phones", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("use", "MOBILE", "number", "06 39 98 12 34")))));
        p.put("emails", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("use", "HOME", "address", "test@example.fr")))));
        p.put("contacts", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of(
                "role", "TRUSTED_PERSON", "name", "Paul Test", "relationship", "conjoint", "phone", "0639981235")))));
        p.put("preferredPhysician", new LinkedHashMap<>(Map.of("name", "Dr Anne Roux", "rpps", "1000000001" + org.dossier.organization.Luhn.checkDigit("1000000001"))));
        Map<String, Object> coverage = new LinkedHashMap<>();
        coverage.put("nir", p.get("insMatricule"));
        coverage.put("amoScheme", "01");
        coverage.put("amoFund", "691");
        coverage.put("amoCentre", "0001");
        coverage.put("amcName", "MGEN");
        coverage.put("amcNumber", "12345678");
        coverage.put("validFrom", "2026-01-01");
        coverage.put("validTo", "2026-12-31");
        p.put("coverage", coverage);
        return p;
    }

    /** A provisional identity without INS, for a birth date of one's choice. */
    public static Map<String, Object> provisional(String family, String given, String birthDate, String sex) {
        Map<String, Object> p = valid(family, given);
        p.put("birthDate", birthDate);
        p.put("sex", sex);
        p.put("insMatricule", null);
        p.put("insOid", null);
        p.put("identityStatus", "PROVISIONAL");
        p.put("coverage", null);
        return p;
    }

    public static String uniqueNir(String sexDigit, String yymm, String insee) {
        String body = sexDigit + yymm + insee + String.format("%03d", ORDER.incrementAndGet() % 1000);
        return Nir.withKey(body);
    }

    /** A registration whose author already checked the possible duplicates. */
    public static Map<String, Object> reviewed(int facilityId, Map<String, Object> patient) {
        Map<String, Object> body = registration(facilityId, patient);
        body.put("duplicatesReviewed", true);
        return body;
    }

    public static Map<String, Object> registration(int facilityId, Map<String, Object> patient) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("facilityId", facilityId);
        body.put("patient", patient);
        body.put("duplicatesReviewed", false);
        return body;
    }
}
