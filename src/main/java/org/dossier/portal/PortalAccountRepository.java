package org.dossier.portal;

import org.dossier.access.PatientAccess;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * Portal accounts and enrolment codes: credentials, not the record. The methods that reach a patient's row as the desk
 * take the gateway's proof; those of the sign-in and enrolment steps, before anyone is known, answer the account the
 * credentials belong to (ADR 0039 says why this repository is listed among those whose methods need no proof).
 */
@Repository
class PortalAccountRepository {

    /** An account's sign-in facts: its secret is sealed (SecretBox), its password an Argon2id hash. */
    record Account(long id, long patientId, int facilityId, String username, String passwordHash, String totpSecretSealed,
                   long totpLastStep, String status) {
    }

    /** An enrolment code as kept: its patient, and whether it may still be used. */
    record Code(long id, long patientId, int facilityId, Instant expiresAt, boolean usable) {
    }

    private final JdbcClient jdbc;

    PortalAccountRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A new code replaces the patient's earlier ones, used or not. */
    void issueCode(PatientAccess access, String codeHash, long staffId, Instant now, Instant expiresAt) {
        jdbc.sql("update portal_enrolment_code set revoked_at = ? where patient_id = ? and used_at is null and revoked_at is null")
                .param(Timestamp.from(now)).param(access.patientId()).update();
        jdbc.sql("""
                        insert into portal_enrolment_code (patient_id, facility_id, code_hash, issued_by, issued_at, expires_at)
                        values (?, ?, ?, ?, ?, ?)""")
                .param(access.patientId()).param(access.patient().facilityId()).param(codeHash).param(staffId)
                .param(Timestamp.from(now)).param(Timestamp.from(expiresAt)).update();
    }

    /** The status of the patient's account, if they have one ("PENDING", "ACTIVE"), for the desk. */
    Optional<String> accountStatus(PatientAccess access) {
        return jdbc.sql("select status from portal_account where patient_id = ?").param(access.patientId()).query(String.class).optional();
    }

    Optional<Code> code(String codeHash, Instant now) {
        return jdbc.sql("""
                        select id, patient_id, facility_id, expires_at,
                               (used_at is null and revoked_at is null and expires_at > ?) as usable
                          from portal_enrolment_code where code_hash = ?""")
                .param(Timestamp.from(now)).param(codeHash)
                .query((rs, n) -> new Code(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"),
                        rs.getTimestamp("expires_at").toInstant(), rs.getBoolean("usable")))
                .optional();
    }

    /** Uses a code once: of two enrolments racing with the same code, one wins. */
    boolean useCode(long codeId, Instant now) {
        return jdbc.sql("""
                        update portal_enrolment_code set used_at = ?
                         where id = ? and used_at is null and revoked_at is null and expires_at > ?""")
                .param(Timestamp.from(now)).param(codeId).param(Timestamp.from(now)).update() == 1;
    }

    /** The birth date on the record a code was issued for: what the patient confirms with the code. */
    Optional<LocalDate> birthDate(long patientId) {
        return jdbc.sql("select birth_date from patient_facts(?)").param(patientId).query(LocalDate.class).optional();
    }

    boolean usernameTaken(String username, long exceptPatientId) {
        return jdbc.sql("select exists (select 1 from portal_account where username = ? and patient_id <> ?)")
                .param(username).param(exceptPatientId).query(Boolean.class).single();
    }

    /** The patient's account, new or enrolled again (a lost phone): PENDING until its authenticator is confirmed. */
    long enrol(long patientId, int facilityId, String username, String passwordHash, String sealedSecret, Instant now) {
        return jdbc.sql("""
                        insert into portal_account (patient_id, facility_id, username, password_hash, totp_secret_sealed, status, created_at)
                        values (:p, :f, :u, :h, :s, 'PENDING', :now)
                        on conflict (patient_id) do update set username = excluded.username, password_hash = excluded.password_hash,
                            totp_secret_sealed = excluded.totp_secret_sealed, totp_last_step = 0, status = 'PENDING',
                            created_at = excluded.created_at, activated_at = null
                        returning id""")
                .param("p", patientId).param("f", facilityId).param("u", username).param("h", passwordHash).param("s", sealedSecret)
                .param("now", Timestamp.from(now)).query(Long.class).single();
    }

    Optional<Account> byUsername(String username) {
        return jdbc.sql("select * from portal_account where username = ?").param(username).query(PortalAccountRepository::account).optional();
    }

    Optional<Account> byId(long id) {
        return jdbc.sql("select * from portal_account where id = ?").param(id).query(PortalAccountRepository::account).optional();
    }

    /** Records the time step of an accepted code; false when a code of that step (or later) was already used. */
    boolean useStep(long accountId, long step) {
        return jdbc.sql("update portal_account set totp_last_step = ? where id = ? and totp_last_step < ?")
                .param(step).param(accountId).param(step).update() == 1;
    }

    void activate(long accountId, Instant now) {
        jdbc.sql("update portal_account set status = 'ACTIVE', activated_at = ? where id = ? and status = 'PENDING'")
                .param(Timestamp.from(now)).param(accountId).update();
    }

    private static Account account(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Account(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"), rs.getString("username"),
                rs.getString("password_hash"), rs.getString("totp_secret_sealed"), rs.getLong("totp_last_step"), rs.getString("status"));
    }
}
