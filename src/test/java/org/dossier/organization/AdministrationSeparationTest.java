package org.dossier.organization;

import org.dossier.access.Section;
import org.dossier.demo.DemoAccounts;
import org.dossier.identity.CredentialService;
import org.dossier.support.Api;
import org.dossier.support.Approvals;
import org.dossier.support.BrowserSession;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Administration cannot become clinical (issue 16, part 5): no account changes its own roles, units, facilities or
 * status; a new account, or a role, facility or unit added, takes effect only once a second administrator approves it
 * with a fresh second factor in a signed-in session; ADMIN and SECURITY_OFFICER never hold a patient-data role (service
 * and database); every request, approval, rejection and refusal is in the audit trail. Each rule: the attack refused and
 * audited, and the legitimate work still flowing.
 */
class AdministrationSeparationTest extends IntegrationTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Autowired
    CredentialService credentials;

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    private static String rpps(String tenDigits) {
        return tenDigits + Luhn.checkDigit(tenDigits);
    }

    private static Map<String, Object> physicianAccount(String username, int unitId) {
        int n = SEQUENCE.incrementAndGet();
        Map<String, Object> a = new HashMap<>();
        a.put("username", username);
        a.put("displayName", "Dr Séparation " + n);
        a.put("rpps", rpps(String.format("19%08d", 70_000_000 + n + (int) Math.floorMod(System.nanoTime(), 1000L) * 100)));
        a.put("roles", List.of("PHYSICIAN"));
        a.put("facilityIds", List.of(1));
        a.put("unitIds", List.of(unitId));
        a.put("reason", "new hire in cardiology");
        return a;
    }

    private static String unique(String prefix) {
        return prefix + SEQUENCE.incrementAndGet() + "." + System.nanoTime() % 10_000;
    }

    private long auditEntries(String action, String actor, String detailLike) {
        return jdbc.sql("select count(*) from audit_entry where action = ? and actor_username = ? and detail like ?")
                .param(action).param(actor).param(detailLike).query(Long.class).single();
    }

    private boolean deniedAndAudited(Api.Response r) {
        String requestId = r.header("X-Request-Id");
        return requestId != null && jdbc.sql("select count(*) from audit_entry where request_id = ? and decision = 'DENY'")
                .param(requestId).query(Long.class).single() > 0;
    }

    private List<String> rolesOf(String username) {
        return jdbc.sql("select r.role from staff_role r join staff s on s.id = r.staff_id where s.username = ? order by r.role")
                .param(username).query(String.class).list();
    }

    // ---------------------------------------------------------------- rule 1: no account changes itself

    @Test
    void theAdministratorsSelfGrantIsRefusedAuditedAndYieldsNoPatient() {
        Fixtures f = fixtures();
        long adminId = f.staffId("admin");
        JsonNode me = as("admin").get("/api/staff/" + adminId).json();
        List<Integer> everyUnit = jdbc.sql("select id from care_unit order by id").query(Integer.class).list();
        Map<String, Object> clinical = new HashMap<>();
        clinical.put("username", "admin");
        clinical.put("displayName", me.get("displayName").asString());
        clinical.put("rpps", rpps("1999000099"));
        clinical.put("roles", List.of("FRONT_DESK", "PHYSICIAN"));
        clinical.put("facilityIds", List.of(1, 2, 3));
        clinical.put("unitIds", everyUnit);
        clinical.put("reason", "covering the front desk");

        long before = jdbc.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
        Api.Response attack = as("admin").put("/api/staff/" + adminId, Map.of("version", me.get("version").asInt(), "account", clinical));
        assertThat(attack.status()).as(attack.toString()).isEqualTo(403);
        assertThat(attack.contentType()).startsWith("application/problem+json");
        assertThat(attack.json().get("detail").asString()).contains("your own account");
        assertThat(deniedAndAudited(attack)).as("the refusal is in the audit trail").isTrue();
        assertThat(auditEntries("STAFF:REFUSED", "admin", "%own account%")).isPositive();
        assertThat(rolesOf("admin")).containsExactly("ADMIN");
        assertThat(jdbc.sql("select count(*) from staff_grant where staff_id = ?").param(adminId).query(Long.class).single())
                .as("not even a pending request").isZero();

        // and nothing else of itself either: status
        Api.Response suspend = as("admin").post("/api/staff/" + adminId + "/status",
                Map.of("version", me.get("version").asInt(), "status", "SUSPENDED", "reason", "me"));
        assertThat(suspend.status()).isEqualTo(403);
        assertThat(deniedAndAudited(suspend)).isTrue();

        // after the attempt the account reads no patient: a token (old or new: each request reads the account as it is
        // now) still has the administrator's role alone
        long patient = f.patient();
        Api again = as("admin");
        assertThat(again.get("/api/me").json().get("roles").valueStream().map(JsonNode::asString).toList()).containsExactly("ADMIN");
        assertThat(again.get("/api/patients?name=mar&given=cla").status()).isEqualTo(403);
        assertThat(again.get("/api/patients/" + patient).status()).isIn(403, 404);
        assertThat(again.get("/api/patients/" + patient + "/chart").status()).isIn(403, 404);
        assertThat(jdbc.sql("""
                        select count(distinct patient_id) from audit_entry
                         where seq > ? and actor_username = 'admin' and decision = 'ALLOW' and patient_id is not null""")
                .param(before).query(Long.class).single()).as("patients shown to admin after the attempt").isZero();
    }

    @Test
    void theAdministrationPagesRefuseOnesOwnAccountToo() {
        long adminId = fixtures().staffId("admin2");
        BrowserSession admin2 = Approvals.secondAdministrator(port);
        JsonNode me = as("admin").get("/api/staff/" + adminId).json();
        Api.Response r = admin2.pageForm("/admin/staff/" + adminId, Map.of("version", me.get("version").asString(),
                "displayName", me.get("displayName").asString(), "roles", "PHYSICIAN", "facilityIds", "1", "reason", "self"), true);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("your own account");
        assertThat(auditEntries("STAFF:REFUSED", "admin2", "%own account%")).isPositive();
        assertThat(rolesOf("admin2")).containsExactly("ADMIN");

        Api.Response status = admin2.pageForm("/admin/staff/" + adminId + "/status", Map.of("version", me.get("version").asString(),
                "status", "SUSPENDED", "reason", "self"), true);
        assertThat(status.status()).isEqualTo(403);
        assertThat(jdbc.sql("select status from staff where id = ?").param(adminId).query(String.class).single()).isEqualTo("ACTIVE");
    }

    // ---------------------------------------------------------------- rule 2: a second administrator approves

    @Test
    void aNewPhysicianTakesEffectOnlyOnceASecondAdministratorApprovesWithAFreshSecondFactor() {
        Fixtures f = fixtures();
        String username = unique("dr.grant");
        Api.Response requested = as("admin").post("/api/staff", physicianAccount(username, f.unit(1, "CARDIO")));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(202);
        assertThat(requested.header("Location")).startsWith("/api/staff/grants/");
        JsonNode grant = requested.json();
        long grantId = grant.get("id").asLong();
        assertThat(grant.get("status").asString()).isEqualTo("PENDING");
        assertThat(grant.get("addedRoles").valueStream().map(JsonNode::asString).toList()).containsExactly("PHYSICIAN");
        assertThat(jdbc.sql("select count(*) from staff where username = ?").param(username).query(Long.class).single())
                .as("no account before the approval").isZero();
        assertThat(auditEntries("STAFF:GRANT_REQUESTED", "admin", username + "%")).isEqualTo(1);

        // the security officer is alerted
        JsonNode alert = as("security").get("/api/guard/alerts").json().valueStream()
                .filter(a -> a.get("signal").asString().equals("STAFF_GRANT_REQUESTED") && a.get("evidence").asString().contains(username))
                .findFirst().orElseThrow();
        assertThat(alert.get("username").asString()).isEqualTo("admin");
        assertThat(alert.get("response").asString()).isEqualTo("NOTIFY");

        // listed for administrators, pending
        assertThat(as("admin2").get("/api/staff/grants").json().valueStream().anyMatch(g -> g.get("id").asLong() == grantId)).isTrue();

        // the requester cannot approve its own request (checked before anything else: session or token alike)
        Api.Response own = as("admin").post("/api/staff/grants/" + grantId + "/approve", Map.of("version", 1));
        assertThat(own.status()).as(own.toString()).isEqualTo(403);
        assertThat(own.json().get("detail").asString()).contains("another administrator");
        assertThat(deniedAndAudited(own)).isTrue();

        // a token cannot approve, even another administrator's fresh one
        Api.Response byToken = as("admin2").post("/api/staff/grants/" + grantId + "/approve", Map.of("version", 1));
        assertThat(byToken.status()).as(byToken.toString()).isEqualTo(403);
        assertThat(byToken.json().get("detail").asString()).contains("API token cannot approve");
        assertThat(deniedAndAudited(byToken)).isTrue();

        // nor a role that is not an administrator
        assertThat(as("security").post("/api/staff/grants/" + grantId + "/approve", Map.of("version", 1)).status()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from staff where username = ?").param(username).query(Long.class).single()).isZero();

        // the second administrator, signed in with a second factor in the last five minutes, approves
        Api.Response approved = Approvals.secondAdministrator(port).post("/api/staff/grants/" + grantId + "/approve",
                Map.of("version", 1, "note", "checked with HR"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(approved.json().at("/pendingGrant/status").asString()).isEqualTo("APPROVED");
        JsonNode account = approved.json().get("account");
        long id = account.get("id").asLong();
        assertThat(account.get("roles").valueStream().map(JsonNode::asString).toList()).containsExactly("PHYSICIAN");
        assertThat(auditEntries("STAFF:GRANT_APPROVED", "admin2", username + "%")).isEqualTo(1);
        JsonNode history = as("admin").get("/api/staff/" + id + "/history").json();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("reason").asString()).contains("grant " + grantId).contains("approved by admin2");

        // decided once
        assertThat(Approvals.secondAdministrator(port).post("/api/staff/grants/" + grantId + "/approve", Map.of("version", 2)).status())
                .isEqualTo(409);

        // the account can then act: a patient in its care opens
        credentials.setDemoCredentials(List.of(id), DemoAccounts.PASSWORD, Map.of(id, DemoAccounts.totpSecret(username)));
        long patient = f.patient();
        f.careFor(patient, username);
        Api doctor = as(username);
        assertThat(doctor.get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);
    }

    @Test
    void aUnitAddedToAClinicianWaitsAndARejectionChangesNothing() {
        Fixtures f = fixtures();
        String username = unique("dr.unit");
        JsonNode account = Approvals.approvedAccount(port, as("admin").post("/api/staff", physicianAccount(username, f.unit(1, "CARDIO"))));
        long id = account.get("id").asLong();
        Map<String, Object> wider = physicianAccount(username, f.unit(1, "CARDIO"));
        wider.put("rpps", account.get("rpps").asString());
        wider.put("unitIds", List.of(f.unit(1, "CARDIO"), f.unit(1, "URG")));
        wider.put("reason", "covers the emergency unit");

        Api.Response requested = as("admin").put("/api/staff/" + id, Map.of("version", 1, "account", wider));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(202);
        long grantId = requested.json().get("id").asLong();
        assertThat(requested.json().get("addedUnitIds").valueStream().map(JsonNode::asInt).toList()).containsExactly(f.unit(1, "URG"));
        assertThat(as("admin").get("/api/staff/" + id).json().get("unitIds")).hasSize(1);
        assertThat(as("admin").put("/api/staff/" + id, Map.of("version", 1, "account", wider)).status())
                .as("one pending grant per account").isEqualTo(409);

        // a facility added waits too
        Map<String, Object> elsewhere = new HashMap<>(wider);
        elsewhere.put("facilityIds", List.of(1, 2));
        elsewhere.put("unitIds", List.of(f.unit(1, "CARDIO")));

        Api.Response noReason = as("admin2").post("/api/staff/grants/" + grantId + "/reject", Map.of("version", 1));
        assertThat(noReason.status()).isEqualTo(422);
        Api.Response rejected = as("admin2").post("/api/staff/grants/" + grantId + "/reject",
                Map.of("version", 1, "note", "not on the emergency rota"));
        assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
        assertThat(rejected.json().get("status").asString()).isEqualTo("REJECTED");
        assertThat(auditEntries("STAFF:GRANT_REJECTED", "admin2", username + "%not on the emergency rota%")).isEqualTo(1);
        JsonNode after = as("admin").get("/api/staff/" + id).json();
        assertThat(after.get("unitIds")).hasSize(1);
        assertThat(after.get("version").asInt()).isEqualTo(1);

        Api.Response facility = as("admin").put("/api/staff/" + id, Map.of("version", 1, "account", elsewhere));
        assertThat(facility.status()).as(facility.toString()).isEqualTo(202);
        assertThat(facility.json().get("addedFacilityIds").valueStream().map(JsonNode::asInt).toList()).containsExactly(2);
        // approved on the administration page
        BrowserSession admin2 = Approvals.secondAdministrator(port);
        assertThat(admin2.page("/admin/grants").body()).contains(username);
        Api.Response page = admin2.pageForm("/admin/grants/" + facility.json().get("id").asLong() + "/approve",
                Map.of("version", "1", "note", "moves to Sud two days a week"), true);
        assertThat(page.status()).as(page.toString()).isEqualTo(302);
        assertThat(as("admin").get("/api/staff/" + id).json().get("facilityIds").valueStream().map(JsonNode::asInt).toList())
                .containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void anAdministratorAccountIsAGrantTooSoNoOneMakesThemselvesASecondAdministrator() {
        Map<String, Object> puppet = new HashMap<>();
        puppet.put("username", unique("admin.puppet"));
        puppet.put("displayName", "Puppet");
        puppet.put("roles", List.of("ADMIN"));
        puppet.put("facilityIds", List.of(1));
        Api.Response r = as("admin").post("/api/staff", puppet);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(jdbc.sql("select count(*) from staff where username = ?").param(puppet.get("username")).query(Long.class).single()).isZero();
    }

    // ---------------------------------------------------------------- rule 3: separation of duties

    @Test
    void separationOfDutiesIsRefusedByTheServiceWithAClearMessage() {
        Map<String, Object> both = physicianAccount(unique("dr.admin"), fixtures().unit(1, "CARDIO"));
        both.put("roles", List.of("ADMIN", "PHYSICIAN"));
        Api.Response created = as("admin").post("/api/staff", both);
        assertThat(created.status()).as(created.toString()).isEqualTo(422);
        assertThat(created.body()).contains("separation of duties");
        assertThat(auditEntries("STAFF:REFUSED", "admin", both.get("username") + "%separation of duties%")).isEqualTo(1);

        long security = fixtures().staffId("security");
        JsonNode officer = as("admin").get("/api/staff/" + security).json();
        Map<String, Object> billing = new HashMap<>();
        billing.put("displayName", officer.get("displayName").asString());
        billing.put("roles", List.of("SECURITY_OFFICER", "BILLING"));
        billing.put("facilityIds", List.of(1, 2, 3));
        billing.put("reason", "helps with billing");
        Api.Response changed = as("admin").put("/api/staff/" + security, Map.of("version", officer.get("version").asInt(), "account", billing));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(422);
        assertThat(changed.body()).contains("separation of duties");
        assertThat(rolesOf("security")).containsExactly("SECURITY_OFFICER");
    }

    @Test
    void separationOfDutiesHoldsInTheDatabaseEvenByDirectSql() throws SQLException {
        long admin = fixtures().staffId("admin");
        long nurse = fixtures().staffId("nurse");
        try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
            s.execute("set role dossier_app");
            try {
                assertThatThrownBy(() -> s.executeUpdate("insert into staff_role (staff_id, role) values (" + admin + ", 'PHYSICIAN')"))
                        .hasMessageContaining("separation of duties");
                assertThatThrownBy(() -> s.executeUpdate("insert into staff_role (staff_id, role) values (" + nurse + ", 'ADMIN')"))
                        .hasMessageContaining("separation of duties");
                assertThatThrownBy(() -> s.executeUpdate("update staff_role set role = 'SECURITY_OFFICER' where staff_id = " + nurse))
                        .hasMessageContaining("separation of duties");
                assertThatThrownBy(() -> s.executeUpdate("alter table staff_role disable trigger staff_role_separation"))
                        .as("the application role cannot switch it off").isInstanceOf(SQLException.class);
            } finally {
                s.execute("reset role");
            }
        }
        assertThat(rolesOf("admin")).containsExactly("ADMIN");
        assertThat(rolesOf("nurse")).containsExactly("NURSE");
    }

    @Test
    void aGrantIsDecidedOnceNeverByItsRequesterAndNeverDeletedEvenByDirectSql() throws SQLException {
        Api.Response requested = as("admin").post("/api/staff", physicianAccount(unique("dr.sql"), fixtures().unit(1, "CARDIO")));
        long grant = requested.json().get("id").asLong();
        try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
            s.execute("set role dossier_app");
            try {
                assertThatThrownBy(() -> s.executeUpdate("update staff_grant set status = 'APPROVED', decided_by = requested_by, "
                        + "decided_at = now(), version = version + 1 where id = " + grant)).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> s.executeUpdate("delete from staff_grant where id = " + grant)).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> s.executeUpdate("update staff_grant set added_roles = '{}' where id = " + grant))
                        .isInstanceOf(SQLException.class);
            } finally {
                s.execute("reset role");
            }
        }
        Api.Response rejected = as("admin").post("/api/staff/grants/" + grant + "/reject", Map.of("version", 1, "note", "withdrawn"));
        assertThat(rejected.status()).as("the requester may withdraw it").isEqualTo(200);
        try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update staff_grant set status = 'APPROVED', decided_by = requested_by, "
                    + "version = version + 1 where id = " + grant)).hasMessageContaining("only a pending request is decided");
        }
    }

    @Test
    void theRolesThatReadPatientDataAreTheOnesTheGatewayShowsSectionsTo() {
        // PATIENT is the portal's role of a patient on their own record (ADR 0039), never a staff account's: no grant gives it.
        assertThat(Role.staffRoles()).doesNotContain(Role.PATIENT);
        assertThat(Role.PATIENT.readsPatientData() || Role.PATIENT.isPrivileged()).isFalse();
        for (Role role : Role.staffRoles()) {
            assertThat(role.readsPatientData()).as(role.name()).isEqualTo(!Section.visibleTo(role).isEmpty());
            assertThat(role.isPrivileged() && role.readsPatientData()).isFalse();
        }
    }
}
