package org.dossier.support;

import org.dossier.organization.Luhn;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds the records a test needs through the real API, as the demo accounts. */
public final class Fixtures {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Api frontDesk;
    private final Api admin;
    private final JdbcClient jdbc;

    public Fixtures(Api frontDesk, Api admin, JdbcClient jdbc) {
        this.frontDesk = frontDesk;
        this.admin = admin;
        this.jdbc = jdbc;
    }

    /** A new patient of facility 1 with a unique name. */
    public long patient() {
        int n = SEQUENCE.incrementAndGet();
        Map<String, Object> p = PatientJson.provisional("Fixture" + letters(n), "Test", "1970-01-" + String.format("%02d", 1 + n % 28), "F");
        Api.Response r = frontDesk.post("/api/patients", PatientJson.reviewed(1, p));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    /**
     * A new patient of facility 1 cared for by the demo physician and nurse of cardiology: they are on the patient's
     * care team, so the gateway lets them open the record.
     */
    public long patientInCare() {
        long id = patient();
        careFor(id, "physician", "nurse");
        return id;
    }

    /**
     * Puts staff on a patient's care team as the hospital's own records would (written straight to the database:
     * through the API a clinician must already be related to the patient to change the care team).
     */
    public void careFor(long patientId, String... usernames) {
        for (String username : usernames) {
            jdbc.sql("""
                    insert into care_team_member (facility_id, patient_id, staff_id, role, period_start, status, version, created_at)
                    select p.facility_id, p.id, s.id, 'test fixture', now() - interval '1 day', 'ACTIVE', 1, now()
                      from patient p, staff s where p.id = ? and s.username = ?""").param(patientId).param(username).update();
        }
    }

    /** A new physician of facility 1, in the given unit. */
    public long physician(String unitCode) {
        int n = SEQUENCE.incrementAndGet();
        String payload = String.format("18%08d", 40_000_000 + n);
        Api.Response r = admin.post("/api/staff", Map.of("username", "dr.fixture" + n, "displayName", "Dr Fixture " + n,
                "rpps", payload + Luhn.checkDigit(payload), "roles", List.of("PHYSICIAN"), "facilityIds", List.of(1),
                "unitIds", List.of(unit(1, unitCode)), "reason", "test"));
        return Approvals.approvedAccount(admin.port(), r).get("id").asLong();
    }

    public int unit(int facilityId, String code) {
        return jdbc.sql("select id from care_unit where facility_id = ? and code = ?").param(facilityId).param(code)
                .query(Integer.class).single();
    }

    public long staffId(String username) {
        return jdbc.sql("select id from staff where username = ?").param(username).query(Long.class).single();
    }

    private static String letters(int n) {
        StringBuilder b = new StringBuilder();
        do {
            b.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return b.toString();
    }
}
