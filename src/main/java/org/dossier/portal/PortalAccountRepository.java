package org.dossier.portal;

import org.dossier.access.PatientAccess;
import org.dossier.access.PatientFacts;
import org.dossier.patient.PatientNames;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Portal accounts and enrolment codes: credentials, not the record. The methods that reach a patient's row as the desk
 * take the gateway's proof; those of the sign-in and enrolment steps, before anyone is known, answer the account the
 * credentials belong to (ADR 0039 says why this repository is listed among those whose methods need no proof).
 */
@Repository
class PortalAccountRepository {

    /**
     * An account's sign-in facts: its secret is sealed (SecretBox), its password an Argon2id hash; its username as the
     * patient chose it, opened from its sealed cell (V74), null once the patient was shredded.
     */
    record Account(long id, long patientId, int facilityId, String username, String passwordHash, String totpSecretSealed,
                   long totpLastStep, String status) {
    }

    /** An enrolment code as kept: its patient, and whether it may still be used. */
    record Code(long id, long patientId, int facilityId, Instant expiresAt, boolean usable) {
    }

    private final JdbcClient jdbc;
    private final FieldCipher cipher;
    /** A case's notes, sealed with the patient's key (V68, ADR 0053). */
    private final SealedColumns caseText;
    private final PortalUsernames usernames;

    PortalAccountRepository(JdbcClient jdbc, FieldCipher cipher, @Qualifier("portalCaseText") SealedColumns caseText,
                            PortalUsernames usernames) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.caseText = caseText;
        this.usernames = usernames;
    }

    /** A new code replaces the patient's earlier ones, used or not. */
    void issueCode(PatientAccess access, String codeHash, long staffId, PortalAccounts.Delivery delivery, Instant now, Instant expiresAt) {
        jdbc.sql("update portal_enrolment_code set revoked_at = ? where patient_id = ? and used_at is null and revoked_at is null")
                .param(Timestamp.from(now)).param(access.patientId()).update();
        // The desk issues a code when a phone is lost: the sessions signed in until now end at their next request.
        jdbc.sql("update portal_account set sessions_from = ? where patient_id = ? and status <> 'SUPERSEDED'")
                .param(Timestamp.from(now)).param(access.patientId()).update();
        jdbc.sql("""
                        insert into portal_enrolment_code (patient_id, facility_id, code_hash, issued_by, delivery, issued_at, expires_at)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                .param(access.patientId()).param(access.patient().facilityId()).param(codeHash).param(staffId).param(delivery.name())
                .param(Timestamp.from(now)).param(Timestamp.from(expiresAt)).update();
    }

    /** The status of the patient's account, if they have one ("PENDING", "ACTIVE"), for the desk. */
    Optional<String> accountStatus(PatientAccess access) {
        return jdbc.sql("select status from portal_account where patient_id = ? and status <> 'SUPERSEDED'").param(access.patientId()).query(String.class).optional();
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

    /**
     * Counts a wrong birth date typed with a usable code; at the limit the code is used up (revoked). Answers the count, in
     * its own statement, so that the failure is kept whatever the request does next.
     */
    int failedBirthDate(long codeId, int limit, Instant now) {
        return jdbc.sql("""
                        update portal_enrolment_code set failed_attempts = failed_attempts + 1,
                               revoked_at = case when failed_attempts + 1 >= ? then coalesce(revoked_at, ?) else revoked_at end
                         where id = ? returning failed_attempts""")
                .param(limit).param(Timestamp.from(now)).param(codeId).query(Integer.class).single();
    }

    /** The names on the record a code was issued for, which the patient's password must not contain. */
    java.util.List<String> names(long patientId) {
        return jdbc.sql("select id, facility_id, " + PatientNames.COLUMNS + " from patient where id = ?").param(patientId)
                .query((rs, n) -> PatientNames.of(cipher, rs)).optional().orElse(java.util.List.of())
                .stream().flatMap(n -> java.util.Arrays.stream(n.split("[\\s,'-]+"))).filter(n -> !n.isBlank()).toList();
    }

    /** The birth date on the record a code was issued for: what the patient confirms with the code. */
    Optional<LocalDate> birthDate(long patientId) {
        return jdbc.sql("select * from patient_facts(?)").param(patientId).query((rs, n) -> PatientFacts.read(rs, cipher).birthDate())
                .optional();
    }

    /**
     * Whether another patient's current account has this (normalised) username, in any facility: its token under each
     * facility's key (V74), or, in a row written before V74 and not yet sealed, the clear name.
     */
    boolean usernameTaken(String username, byte[][] tokens, long exceptPatientId) {
        return jdbc.sql("""
                        select exists (select 1 from portal_account where (username_token = any(?) or username = ?)
                                          and status <> 'SUPERSEDED' and patient_id <> ?)""")
                .param(tokens).param(username).param(exceptPatientId).query(Boolean.class).single();
    }

    /**
     * Supersedes the patient's current account, if any (enrolled again: a lost phone, or someone else at the desk), and
     * answers it as it was. The account row stays: its id is the actor of the reads made under it (ADR 0039).
     */
    Optional<Account> supersede(long patientId, Instant now) {
        return jdbc.sql("""
                        update portal_account a set status = 'SUPERSEDED', superseded_at = ?
                          from portal_account before
                         where a.id = before.id and a.patient_id = ? and a.status <> 'SUPERSEDED'
                        returning before.*""")
                .param(Timestamp.from(now)).param(patientId).query(this::account).optional();
    }

    /**
     * A new account for each enrolment, naming the code it was enrolled with: PENDING until its authenticator is confirmed.
     * Its (normalised) username is written sealed with the patient's key and as its token in the patient's facility (V74).
     */
    long enrol(Code code, String username, byte[] token, String passwordHash, String sealedSecret, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('portal_account', 'id'))").query(Long.class).single();
        jdbc.sql("""
                        insert into portal_account (id, patient_id, facility_id, sealed_username, username_token, password_hash,
                                                    totp_secret_sealed, status, created_at, code_id)
                        values (:id, :p, :f, :u, :t, :h, :s, 'PENDING', :now, :code)""")
                .param("id", id).param("p", code.patientId()).param("f", code.facilityId())
                .param("u", usernames.seal(code.patientId(), code.facilityId(), id, username))
                .param("t", token).param("h", passwordHash)
                .param("s", sealedSecret).param("now", Timestamp.from(now)).param("code", code.id()).update();
        return id;
    }

    /** Whether a session signed in at this instant may go on: its account still active, and no code issued since. */
    boolean sessionValid(long accountId, Instant signedInAt) {
        return jdbc.sql("""
                        select exists (select 1 from portal_account where id = ? and status = 'ACTIVE'
                                          and (sessions_from is null or sessions_from <= ?))""")
                .param(accountId).param(Timestamp.from(signedInAt)).query(Boolean.class).single();
    }

    /** The account, if a session or an app token that began at this instant may go on (as {@link #sessionValid}). */
    Optional<Account> live(long accountId, Instant since) {
        // checked at every request of a patient's app: its username is not opened (nothing here needs it), so null
        return jdbc.sql("""
                        select * from portal_account where id = ? and status = 'ACTIVE' and (sessions_from is null or sessions_from <= ?)""")
                .param(accountId).param(Timestamp.from(since)).query(PortalAccountRepository::accountUnnamed).optional();
    }

    /** The patient's accounts that are not superseded (whose app tokens a new code ends). */
    List<Long> currentAccounts(long patientId) {
        return jdbc.sql("select id from portal_account where patient_id = ? and status <> 'SUPERSEDED'").param(patientId).query(Long.class).list();
    }

    /** An earlier enrolment of the patient, as they are told of it: when, and the staff account that issued its code. */
    record Enrolment(long accountId, Instant enrolledAt, Long issuedBy) {
    }

    /** The patient's enrolments other than this one (their accounts' ids are the actors of the reads made under them). */
    java.util.Map<Long, Enrolment> otherEnrolments(long patientId, long exceptAccountId) {
        java.util.Map<Long, Enrolment> found = new java.util.HashMap<>();
        jdbc.sql("""
                        select a.id, a.created_at, c.issued_by from portal_account a left join portal_enrolment_code c on c.id = a.code_id
                         where a.patient_id = ? and a.id <> ?""")
                .param(patientId).param(exceptAccountId)
                .query((java.sql.ResultSet rs) -> {
                    found.put(rs.getLong(1), new Enrolment(rs.getLong(1), rs.getTimestamp(2).toInstant(), (Long) rs.getObject(3)));
                });
        return found;
    }

    /** A case in the security officer's queue opened by the system (no patient asked), about an account of the patient. */
    long openSystemCase(long patientId, int facilityId, long accountId, String note, Long issuedBy, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('portal_case', 'id'))").query(Long.class).single();
        jdbc.sql("""
                        insert into portal_case (id, patient_id, facility_id, account_id, sealed_patient_note, opened_at, status,
                            system_reason, issued_by)
                        values (?, ?, ?, ?, ?, ?, 'OPEN', 'ENROLLED_OVER_ACTIVE', ?)""")
                .param(id).param(patientId).param(facilityId).param(accountId).param(caseText.seal(patientId, facilityId, "patient_note", id, note))
                .param(Timestamp.from(now)).param(issuedBy).update();
        return id;
    }

    /** How a code was given ("issued at the desk by staff account 12", "sent by e-mail at the request of staff account 12"). */
    String origin(long codeId) {
        return jdbc.sql("select issued_by, delivery from portal_enrolment_code where id = ?").param(codeId)
                .query((rs, n) -> ("MAIL".equals(rs.getString("delivery")) ? "sent by e-mail at the request of staff account "
                        : "issued at the desk by staff account ") + rs.getLong("issued_by"))
                .optional().orElse("of unknown origin");
    }

    /** The staff account that issued a code. */
    Optional<Long> issuer(long codeId) {
        return jdbc.sql("select issued_by from portal_enrolment_code where id = ?").param(codeId).query(Long.class).optional();
    }

    /**
     * The current account of a (normalised) username: found by its token under any facility's key (or, not yet sealed, by
     * the clear name), and kept only if its opened name is the one typed, so a shredded patient's account is found by none.
     */
    Optional<Account> byUsername(String username) {
        Optional<Account> found = byToken(username, usernames.tokens(username));
        if (found.isEmpty()) {
            byte[][] more = usernames.tokensOfNewFacilities(username);
            found = more == null ? found : byToken(username, more);
        }
        return found;
    }

    private Optional<Account> byToken(String username, byte[][] tokens) {
        return jdbc.sql("select * from portal_account where (username_token = any(?) or username = ?) and status <> 'SUPERSEDED'")
                .param(tokens).param(username).query(this::account).list().stream().filter(a -> username.equals(a.username())).findFirst();
    }

    Optional<Account> byId(long id) {
        return jdbc.sql("select * from portal_account where id = ?").param(id).query(this::account).optional();
    }

    /**
     * A patient's key is being shredded (ADR 0047, 0056): their accounts' usernames go with it, the sealed one and its
     * token too, which the facility's index key (it lives on) would still let whoever holds it test a guess against. The
     * accounts stay (their ids are the actors of the trail); no name signs in to them any more.
     */
    @org.springframework.context.event.EventListener
    void erased(org.dossier.access.PatientErased erased) {
        jdbc.sql("""
                        update portal_account set username = null, sealed_username = null, username_token = null
                         where patient_id = ? and facility_id = ?""")
                .param(erased.patientId()).param(erased.facilityId()).update();
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

    private Account account(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return account(rs, usernames.open(rs));
    }

    private static Account accountUnnamed(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return account(rs, null);
    }

    private static Account account(java.sql.ResultSet rs, String username) throws java.sql.SQLException {
        return new Account(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"), username,
                rs.getString("password_hash"), rs.getString("totp_secret_sealed"), rs.getLong("totp_last_step"), rs.getString("status"));
    }
}
