package org.dossier.patient;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.PatientJson.provisional;
import static org.dossier.support.PatientJson.registration;
import static org.dossier.support.PatientJson.reviewed;
import static org.dossier.support.PatientJson.valid;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatientSearchTest extends IntegrationTest {

    private JsonNode helene;

    @BeforeAll
    void registerPatients() {
        Api desk = as("frontdesk");
        Map<String, Object> p = valid("Zéphyrin-Écuyer", "Hélène");
        p.put("usedName", "Quémeneur");
        helene = desk.post("/api/patients", registration(1, p)).json();
        for (int i = 0; i < 25; i++) {
            Map<String, Object> many = provisional("Xylophage", "Xavier", "1990-05-" + String.format("%02d", 1 + i), "M");
            desk.post("/api/patients", reviewed(1, many));
        }
    }

    @Test
    void namePrefixIgnoresAccentsAndCase() {
        List<Long> ids = ids(as("physician").get("/api/patients?name=zephyr&given=helene"));
        assertThat(ids).contains(helene.get("id").asLong());
        assertThat(ids(as("physician").get("/api/patients?name=ZÉPHYRIN-ECU&birthDate=1984-03-07"))).contains(helene.get("id").asLong());
    }

    /**
     * A registration's search tokens go straight into the index (V75): none waits in GIN's pending list, which every
     * search would otherwise read whole (1.2 ms a search after a day of registrations, instead of 0.2 ms).
     */
    @Test
    void registeredTokensAreInTheIndexAtOnceNotInAListEverySearchReads() {
        Api.Response registered = as("frontdesk").post("/api/patients", reviewed(1, provisional("Pendinglist", "Paule", "1958-03-09", "F")));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        long pendingPages = jdbc.sql("select gin_clean_pending_list('patient_by_search_token'::regclass)").query(Long.class).single();
        assertThat(pendingPages).as("pages of tokens that searches would have read one by one").isZero();
    }

    @Test
    void theUsedNameFindsThePatientToo() {
        assertThat(ids(as("frontdesk").get("/api/patients?name=quemen&given=hel"))).contains(helene.get("id").asLong());
    }

    @Test
    void resultsRevealOnlyWhatIsNeededToPickThePatient() {
        JsonNode result = as("frontdesk").get("/api/patients?name=zephyr&given=helene").json().get("results").get(0);
        List<String> fields = new ArrayList<>();
        result.propertyNames().forEach(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("id", "facilityId", "ipp", "birthFamilyName", "usedName", "givenNames",
                "birthYear", "sex", "status");
        assertThat(result.get("birthYear").asInt()).isEqualTo(1984);
    }

    @Test
    void atMostTwentyResultsAreReturnedAndTruncationIsSaid() {
        JsonNode page = as("frontdesk").get("/api/patients?name=xylo&given=x").json();
        assertThat(page.get("results").size()).isEqualTo(20);
        assertThat(page.get("truncated").asBoolean()).isTrue();
        JsonNode narrow = as("frontdesk").get("/api/patients?name=xylo&birthDate=1990-05-03").json();
        assertThat(narrow.get("results").size()).isEqualTo(1);
        assertThat(narrow.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void tooShortOrTooBroadQueriesAreRefusedWithAnActionableMessage() {
        Api.Response twoLetters = as("frontdesk").get("/api/patients?name=xy&given=x");
        assertThat(twoLetters.status()).isEqualTo(422);
        assertThat(twoLetters.json().at("/errors/0/field").asString()).isEqualTo("name");
        assertThat(twoLetters.json().at("/errors/0/message").asString()).contains("at least 3 letters");

        Api.Response nameOnly = as("frontdesk").get("/api/patients?name=xylophage");
        assertThat(nameOnly.status()).isEqualTo(422);
        assertThat(nameOnly.json().at("/errors/0/field").asString()).isEqualTo("birthDate");

        assertThat(as("frontdesk").get("/api/patients").status()).isEqualTo(422);
        assertThat(as("frontdesk").get("/api/patients?name=%25%25%25&given=a").status()).isEqualTo(422);
        assertThat(as("frontdesk").get("/api/patients?name=xylo&birthDate=not-a-date").status()).isEqualTo(400);
    }

    @Test
    void exactIdentifiersFindOnePatient() {
        String ins = helene.at("/data/insMatricule").asString();
        assertThat(ids(as("frontdesk").get("/api/patients?ins=" + ins))).containsExactly(helene.get("id").asLong());
        assertThat(ids(as("frontdesk").get("/api/patients?ipp=" + helene.get("ipp").asString()))).containsExactly(helene.get("id").asLong());
        assertThat(as("frontdesk").get("/api/patients?ins=123").status()).isEqualTo(422);
    }

    @Test
    void anotherFacilitysStaffFindsNothing() {
        assertThat(ids(as("physician.sud").get("/api/patients?name=zephyr&given=helene"))).isEmpty();
        assertThat(ids(as("physician.sud").get("/api/patients?ins=" + helene.at("/data/insMatricule").asString()))).isEmpty();
        assertThat(as("physician.sud").get("/api/patients?name=zephyr&given=helene&facilityId=1").status()).isEqualTo(403);
    }

    @Test
    void searchNeedsAPatientFacingRole() {
        assertThat(as("admin").get("/api/patients?name=zephyr&given=helene").status()).isEqualTo(403);
        assertThat(anonymous().get("/api/patients?name=zephyr&given=helene").status()).isEqualTo(401);
    }

    private static List<Long> ids(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        r.json().get("results").forEach(n -> ids.add(n.get("id").asLong()));
        return ids;
    }
}
