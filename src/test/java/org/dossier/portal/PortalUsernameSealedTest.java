package org.dossier.portal;

import org.dossier.identity.PatientFactors;
import org.dossier.identity.TotpService;
import org.dossier.platform.FacilityScope;
import org.dossier.platform.SecretBox;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The username a patient chooses at the portal (ADR 0058): sealed with their own key, found at sign-in by its blind-index
 * token, and copied nowhere in clear (the trail, the throttle, the security officer's notes, the session name the account
 * by its id). What a stolen dump holds, and what the patient can still do with the name they chose.
 */
class PortalUsernameSealedTest extends IntegrationTest {

    @Autowired
    PortalUsernameSealing sealing;
    @Autowired
    PortalAccountRepository accounts;
    @Autowired
    PatientFactors factors;
    @Autowired
    SecretBox secrets;

    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger();

    private static String chosen() {
        return "jean.d" + Long.toString(System.nanoTime(), 36) + SEQUENCE.incrementAndGet();
    }

    private String code(long patient) {
        return as("frontdesk").post("/api/patients/" + patient + "/portal-code", Map.of()).json().get("code").asString();
    }

    private String birth(long patient) {
        return identity(patient).birthDate().toString();
    }

    /** The columns of every table (text, bytes, arrays as text) that hold the string. */
    private long rowsHolding(String table, String word) {
        return jdbc.sql("select count(*) from " + table + " t where position(convert_to(?, 'UTF8') in convert_to(t::text, 'UTF8')) > 0")
                .param(word).query(Long.class).single();
    }

    @Test
    void theChosenNameSignsInButTheRowHoldsOnlyItsCiphertextAndTokenAndNothingElseCopiesIt() {
        long patient = fixtures().patient();
        String name = chosen();
        PortalSession me = PortalSession.enrolled(port, code(patient), birth(patient), name, PortalTest.PASSWORD);
        assertThat(me.page("/portal/record").status()).isEqualTo(200);

        Map<String, Object> row = jdbc.sql("select id, username, sealed_username, username_token from portal_account where patient_id = ? "
                + "and status = 'ACTIVE'").param(patient).query().singleRow();
        assertThat(row.get("username")).as("no clear twin in a row written now").isNull();
        byte[] sealed = (byte[]) row.get("sealed_username");
        assertThat(sealed[0]).as("a Tink ciphertext").isEqualTo((byte) 1);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(name);
        assertThat((byte[]) row.get("username_token")).hasSize(16);
        assertThat(cipher().open(org.dossier.platform.crypto.FieldCipher.Cell.ofPatient(patient, 1, "portal_account", "username",
                (Long) row.get("id")), sealed)).as("bound to its cell, with the patient's key").isEqualTo(name);

        // A stranger tries the name: the throttle and the trail count it, by a keyed hash and the account's id.
        PortalSession stranger = new PortalSession(port);
        stranger.page("/portal/signin");
        stranger.form("/portal/signin", Map.of("username", name, "password", "not the password at all"));
        for (String table : new String[]{"portal_account", "audit_entry", "auth_throttle", "portal_case", "spring_session",
                "spring_session_attributes", "oauth2_authorization"}) {
            assertThat(rowsHolding(table, name)).as(table + " holds the chosen username").isZero();
        }
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_username = ?")
                .param(patient).param("patient:portal-account-" + row.get("id")).query(Long.class).single())
                .as("the trail names the account by its id").isPositive();

        // Signed in again as typed differently (spaces, capitals): compared as before, trimmed and lower-case.
        PortalSession again = new PortalSession(port);
        jdbc.sql("update portal_account set totp_last_step = 0 where patient_id = ? and status = 'ACTIVE'").param(patient).update();
        again.signIn("  " + name.toUpperCase() + " ", PortalTest.PASSWORD, TotpService.codeAt(me.secret(), Instant.now()));
    }

    @Test
    void twoPatientsCannotChooseTheSameNameThoughOnlyItsTokenIsStored() {
        long first = fixtures().patient();
        long second = fixtures().patient();
        String name = chosen();
        PortalSession.enrolled(port, code(first), birth(first), name, PortalTest.PASSWORD);
        Api.Response taken = new PortalSession(port).enrol(code(second), birth(second), name.toUpperCase(), PortalTest.PASSWORD);
        assertThat(taken.status()).isEqualTo(200);
        assertThat(taken.body()).contains("is taken");
        assertThat(jdbc.sql("select count(*) from portal_account where patient_id = ?").param(second).query(Long.class).single()).isZero();
    }

    @Test
    void aWrongNameIsRefusedAndThrottledUnderAKeyedHashAsAWrongPasswordIs() {
        String unknown = chosen();
        long before = jdbc.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
        PortalSession stranger = new PortalSession(port);
        for (int i = 0; i < 6; i++) {
            stranger.page("/portal/signin");
            Api.Response refused = stranger.form("/portal/signin", Map.of("username", unknown, "password", "not the password at all"));
            assertThat(refused.status()).isEqualTo(200);
            assertThat(refused.header("Location")).isNull();
        }
        assertThat(jdbc.sql("select max(failures) from auth_throttle where throttle_key like 'account:portal:portal-name:%' and failures >= 5")
                .query(Integer.class).single()).as("counted under the name's keyed hash").isNotNull();
        assertThat(rowsHolding("auth_throttle", unknown)).isZero();
        assertThat(rowsHolding("audit_entry", unknown)).isZero();
        // the security officer still sees the tries on one name: the refusals carry the same keyed hash, the throttle's
        assertThat(jdbc.sql("""
                        select count(*), count(distinct substring(detail from 'name (portal-name:[0-9a-f]+)')),
                               bool_and(exists (select 1 from auth_throttle t
                                                 where t.throttle_key = 'account:portal:' || substring(detail from 'name (portal-name:[0-9a-f]+)')))
                          from audit_entry
                         where seq > ? and actor_username = 'patient:unknown' and detail like 'wrong username or password; name portal-name:%'""")
                .param(before).query((rs, n) -> rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getBoolean(3)).single())
                .as("five refusals (the sixth try meets the throttle first), one hash, the throttle's").isEqualTo("5/1/true");
    }

    @Test
    void aShreddedPatientsAccountCannotSignInAndItsNameIsGone() {
        long patient = fixtures().patient();
        String name = chosen();
        PortalSession me = PortalSession.enrolled(port, code(patient), birth(patient), name, PortalTest.PASSWORD);
        shred(patient);
        PortalSession after = new PortalSession(port);
        after.page("/portal/signin");
        Api.Response refused = after.form("/portal/signin", Map.of("username", name, "password", PortalTest.PASSWORD));
        assertThat(refused.header("Location")).as("the name opens no more: no account answers it").isNull();
        assertThat(FacilityScope.asSystem(() -> accounts.byUsername(name))).isEmpty();
        // The name is not taken any more either: the shredded account's cell opens to nothing.
        assertThat(me).isNotNull();
    }

    @Test
    void anAccountWrittenBeforeV74IsSealedAtStartAndStillSignsIn() {
        long patient = fixtures().patient();
        String name = chosen();
        String secret = factors.newTotpSecret();
        long id = FacilityScope.asSystem(() -> jdbc.sql("""
                        insert into portal_account (patient_id, facility_id, username, password_hash, totp_secret_sealed, status,
                                                    created_at, activated_at)
                        values (?, 1, ?, ?, ?, 'ACTIVE', now(), now()) returning id""")
                .param(patient).param(name).param(factors.hash(PortalTest.PASSWORD)).param(secrets.seal(secret)).query(Long.class).single());
        assertThat(FacilityScope.asSystem(() -> accounts.byUsername(name))).as("found by its clear name until sealed").isPresent();

        assertThat(sealing.sealAll()).isPositive();
        assertThat(sealing.remaining()).isZero();
        Map<String, Object> row = jdbc.sql("select username, sealed_username, username_token from portal_account where id = ?")
                .param(id).query().singleRow();
        assertThat(row.get("username")).isNull();
        assertThat(((byte[]) row.get("sealed_username"))[0]).isEqualTo((byte) 1);
        assertThat((byte[]) row.get("username_token")).hasSize(16);
        assertThat(rowsHolding("portal_account", name)).isZero();

        new PortalSession(port).signIn(name, PortalTest.PASSWORD, TotpService.codeAt(secret, Instant.now()));
    }

    @Test
    void aShreddedPatientsAccountWrittenBeforeV74IsEmptiedNotSealed() {
        long patient = fixtures().patient();
        String name = chosen();
        long id = FacilityScope.asSystem(() -> jdbc.sql("""
                        insert into portal_account (patient_id, facility_id, username, password_hash, totp_secret_sealed, status, created_at)
                        values (?, 1, ?, 'x', 'x', 'SUPERSEDED', now()) returning id""")
                .param(patient).param(name).query(Long.class).single());
        shred(patient);
        sealing.sealAll();
        assertThat(jdbc.sql("select username is null and sealed_username is null and username_token is null from portal_account where id = ?")
                .param(id).query(Boolean.class).single()).isTrue();
    }
}
