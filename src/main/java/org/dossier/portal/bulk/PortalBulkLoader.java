package org.dossier.portal.bulk;

import org.dossier.identity.PatientFactors;
import org.dossier.platform.SecretBox;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;

/**
 * The demo hospital's enrolled patients: accounts already active, with the demo password and a known TOTP secret, as if
 * each patient had enrolled with a code from the desk. For the demo loader only; a real account starts at the desk.
 */
@Component
public class PortalBulkLoader {

    /** A demo patient's account: the record, its facility, the username and the TOTP secret (base32). */
    public record DemoPatient(long patientId, int facilityId, String username, String totpSecret) {
    }

    private final JdbcClient jdbc;
    private final PatientFactors factors;
    private final SecretBox secrets;
    private final Clock clock;
    private final org.dossier.portal.PortalUsernames usernames;

    PortalBulkLoader(JdbcClient jdbc, PatientFactors factors, SecretBox secrets, Clock clock, org.dossier.portal.PortalUsernames usernames) {
        this.jdbc = jdbc;
        this.usernames = usernames;
        this.factors = factors;
        this.secrets = secrets;
        this.clock = clock;
    }

    public void load(List<DemoPatient> patients, String password) {
        String hash = factors.hash(password);
        Timestamp now = Timestamp.from(clock.instant());
        // The server's own work over every facility, as the other demo loaders (the facility wall lets it write).
        org.dossier.platform.FacilityScope.asSystem(() -> patients.forEach(p -> insert(p, hash, now)));
    }

    /** The username sealed with the patient's key and found by its token (V74, ADR 0058), as an enrolment writes it. */
    private void insert(DemoPatient p, String hash, Timestamp now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('portal_account', 'id'))").query(Long.class).single();
        String name = org.dossier.portal.PortalUsernames.normalised(p.username());
        jdbc.sql("""
                        insert into portal_account (id, patient_id, facility_id, sealed_username, username_token, password_hash,
                                                    totp_secret_sealed, status, created_at, activated_at)
                        values (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)""")
                .param(id).param(p.patientId()).param(p.facilityId()).param(usernames.seal(p.patientId(), p.facilityId(), id, name))
                .param(usernames.token(p.facilityId(), name)).param(hash).param(secrets.seal(p.totpSecret()))
                .param(now).param(now).update();
    }
}
