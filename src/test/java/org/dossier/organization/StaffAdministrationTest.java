package org.dossier.organization;

import org.dossier.support.Api;
import org.dossier.support.Approvals;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StaffAdministrationTest extends IntegrationTest {

    private static Map<String, Object> account(String username, String rpps) {
        Map<String, Object> a = new HashMap<>();
        a.put("username", username);
        a.put("displayName", "Dr Test " + username);
        a.put("rpps", rpps);
        a.put("roles", List.of("PHYSICIAN"));
        a.put("facilityIds", List.of(1));
        a.put("unitIds", List.of(1));
        a.put("reason", "new hire");
        return a;
    }

    private static String rpps(String tenDigits) {
        return tenDigits + Luhn.checkDigit(tenDigits);
    }

    @Test
    void anAdministratorRequestsAnAccountAndASecondOneApprovesItAsItsFirstVersion() {
        Api.Response requested = as("admin").post("/api/staff", account("dr.nouveau", rpps("1999000001")));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(202);
        assertThat(requested.json().get("status").asString()).isEqualTo("PENDING");
        JsonNode body = Approvals.approvedAccount(port, requested);
        assertThat(body.get("status").asString()).isEqualTo("ACTIVE");
        JsonNode history = as("admin").get("/api/staff/" + body.get("id").asLong() + "/history").json();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("reason").asString()).startsWith("granted: new hire");
    }

    @Test
    void onlyAdministratorsManageAccounts() {
        long before = count("staff");
        assertThat(as("physician").post("/api/staff", account("dr.pirate", rpps("1999000002"))).status()).isEqualTo(403);
        assertThat(as("security").post("/api/staff", account("dr.pirate", rpps("1999000002"))).status()).isEqualTo(403);
        assertThat(count("staff")).isEqualTo(before);
        assertThat(as("physician").get("/api/staff/1/history").status()).isEqualTo(403);
    }

    @Test
    void badAccountsAreRefusedFieldByField() {
        Map<String, Object> bad = account("X", "12345678901");
        bad.put("roles", List.of());
        bad.put("facilityIds", List.of(99));
        Api.Response r = as("admin").post("/api/staff", bad);
        assertThat(r.status()).isEqualTo(422);
        List<String> fields = r.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList();
        assertThat(fields).contains("username", "rpps", "roles", "facilityIds");

        Map<String, Object> noRpps = account("dr.sansrpps", null);
        assertThat(as("admin").post("/api/staff", noRpps).json().at("/errors/0/field").asString()).isEqualTo("rpps");

        Map<String, Object> foreignUnit = account("dr.autreunite", rpps("1999000003"));
        int unitOfFacility2 = jdbc.sql("select min(id) from care_unit where facility_id = 2").query(Integer.class).single();
        foreignUnit.put("unitIds", List.of(unitOfFacility2));
        assertThat(as("admin").post("/api/staff", foreignUnit).json().at("/errors/0/field").asString()).isEqualTo("unitIds");
    }

    @Test
    void aTakenUsernameIsAConflict() {
        Api.Response r = as("admin").post("/api/staff", account("physician", rpps("1999000004")));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("detail").asString()).contains("physician");
    }

    @Test
    void changesThatWidenNothingAreVersionedAndNeedTheCurrentVersionAndAReason() {
        JsonNode created = Approvals.approvedAccount(port, as("admin").post("/api/staff", account("dr.mutation", rpps("1999000005"))));
        long id = created.get("id").asLong();
        Map<String, Object> change = account("dr.mutation", rpps("1999000005"));
        change.put("displayName", "Dr Mutation-Renommée");
        change.put("unitIds", List.of());
        change.put("reason", "married name; leaves the unit");

        Api.Response updated = as("admin").put("/api/staff/" + id, Map.of("version", 1, "account", change));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("version").asInt()).isEqualTo(2);
        assertThat(updated.json().get("unitIds")).isEmpty();
        assertThat(as("admin").put("/api/staff/" + id, Map.of("version", 1, "account", change)).status()).isEqualTo(409);
        change.put("reason", "");
        assertThat(as("admin").put("/api/staff/" + id, Map.of("version", 2, "account", change)).status()).isEqualTo(422);
        assertThat(as("admin").get("/api/staff/" + id + "/history").json()).hasSize(2);
    }

    @Test
    void unitsAreCreatedByTheFacilitysAdministrator() {
        Api.Response created = as("admin").post("/api/facilities/1/units",
                Map.of("code", "DERMATO", "name", "Dermatologie", "kind", "OUTPATIENT", "beds", 0));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(as("admin").post("/api/facilities/1/units",
                Map.of("code", "DERMATO", "name", "Dermatologie", "kind", "OUTPATIENT")).status()).isEqualTo(409);
        assertThat(as("admin").post("/api/facilities/1/units", Map.of("code", "x", "name", "", "beds", -1)).status()).isEqualTo(422);
        assertThat(as("physician").post("/api/facilities/1/units",
                Map.of("code", "HACK", "name", "Hack", "kind", "WARD")).status()).isEqualTo(403);
        assertThat(as("physician").get("/api/facilities/1/units").json().valueStream()
                .anyMatch(u -> u.get("code").asString().equals("DERMATO"))).isTrue();
    }

    @Test
    void theDirectorySearchIsBounded() {
        JsonNode all = as("nurse").get("/api/staff").json();
        assertThat(all.size()).isLessThanOrEqualTo(50);
        JsonNode physicians = as("nurse").get("/api/staff?role=PHYSICIAN&facilityId=2").json();
        assertThat(physicians.valueStream().allMatch(s -> s.get("roles").valueStream().anyMatch(r -> r.asString().equals("PHYSICIAN")))).isTrue();
    }
}
