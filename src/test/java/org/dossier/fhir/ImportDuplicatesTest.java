package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An import answers the same whether or not the person it registers is already a patient here: an administrator
 * cannot use a bundle to learn who is. The match is not lost: it waits in the front desk's duplicate review queue.
 * Within one import, a person sent twice is still refused, since the import's own records are the importer's data.
 */
class ImportDuplicatesTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    /**
     * The desk's queue shows the oldest 20 open reviews; the shared test server's other classes leave reviews open (their
     * fixture patients look alike), which would hide the ones raised here. They are closed first, as a desk would.
     */
    @org.junit.jupiter.api.BeforeEach
    void earlierReviewsWorked() {
        jdbc.sql("""
                update duplicate_review set outcome = 'DIFFERENT_PEOPLE', resolved_at = now(), resolution = 'closed before ImportDuplicatesTest',
                       resolved_by = (select id from staff where username = 'frontdesk')
                 where outcome is null""").update();
    }

    private static Bundle bundle(Bundle.BundleType type, String family, String given, String birthDate, int copies) {
        Bundle bundle = new Bundle().setType(type);
        for (int i = 0; i < copies; i++) {
            String url = "urn:uuid:0e0e0e0e-0000-4000-8000-00000000000" + i;
            Patient p = new Patient();
            p.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(family).addGiven(given);
            p.setGender(Enumerations.AdministrativeGender.FEMALE);
            p.setBirthDateElement(new DateType(birthDate));
            bundle.addEntry().setFullUrl(url).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
            Condition c = new Condition();
            c.setSubject(new Reference(url));
            c.getCode().setText("Asthma").addCoding().setSystem("http://snomed.info/sct").setCode("195967001");
            bundle.addEntry().setResource(c).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Condition");
        }
        return bundle;
    }

    private Api.Response importBundle(Bundle bundle) {
        return as("admin").postRaw("/fhir", "application/fhir+json", FHIR.newJsonParser().encodeResourceToString(bundle),
                Map.of("X-Dossier-Facility", "1", "X-Dossier-Import-Source", "duplicates test"));
    }

    /** The answer with what differs between any two imports (ids, times, uuids) blotted out. */
    private static String shape(Api.Response r) {
        return r.status() + " " + r.contentType() + " " + r.body()
                .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID")
                .replaceAll("\\d+", "0");
    }

    private long patientFromLocation(Api.Response r, int entry) {
        return Long.parseLong(r.json().at("/entry/" + entry + "/response/location").asString().replaceAll("\\D+", ""));
    }

    @Test
    void theSameBundleAnswersAlikeForAPatientHereAndForAStranger() {
        Api.Response registered = as("frontdesk").post("/api/patients",
                PatientJson.reviewed(1, PatientJson.provisional("Existova", "Marthe", "1961-04-12", "F")));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        long existing = registered.json().get("id").asLong();

        Api.Response known = importBundle(bundle(Bundle.BundleType.TRANSACTION, "Existova", "Marthe", "1961-04-12", 1));
        Api.Response stranger = importBundle(bundle(Bundle.BundleType.TRANSACTION, "Inconnova", "Marthe", "1961-04-12", 1));
        assertThat(known.status()).as(known.toString()).isEqualTo(200);
        assertThat(shape(known)).isEqualTo(shape(stranger));
        Api.Response knownBatch = importBundle(bundle(Bundle.BundleType.BATCH, "Existova", "Marthe", "1961-04-12", 1));
        Api.Response strangerBatch = importBundle(bundle(Bundle.BundleType.BATCH, "Inconnova", "Marthe", "1961-04-12", 1));
        assertThat(shape(knownBatch)).isEqualTo(shape(strangerBatch));

        // Nothing lost: the imported record exists with its history, and the pair waits for the front desk.
        long imported = patientFromLocation(known, 0);
        long strangerImported = patientFromLocation(stranger, 0);
        assertThat(jdbc.sql("select count(*) from problem where patient_id = ?").param(imported).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from duplicate_review where patient_id = ? and candidate_id = ? and outcome is null")
                .param(imported).param(existing).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from duplicate_review where patient_id = ?").param(strangerImported).query(Long.class).single())
                .as("the first stranger had no match; the second import of the stranger matches the first").isZero();

        Api.Response queue = as("frontdesk").get("/api/duplicate-reviews?facilityId=1");
        assertThat(queue.status()).as(queue.toString()).isEqualTo(200);
        JsonNode review = null;
        for (JsonNode r : queue.json()) {
            if (r.get("patientId").asLong() == imported && r.get("candidateId").asLong() == existing) {
                review = r;
            }
        }
        assertThat(review).as(queue.body()).isNotNull();
        assertThat(review.at("/candidate/familyName").asString()).isEqualTo("Existova");
        assertThat(review.get("reason").asString()).isEqualTo("SIMILAR_NAME_SAME_BIRTH_DATE");
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and resource_type = 'DuplicateReview' and decision = 'ALLOW'")
                .param(existing).query(Long.class).single()).as("the queue names the patient: audited").isGreaterThanOrEqualTo(1);

        assertThat(as("admin").get("/api/duplicate-reviews?facilityId=1").status()).as("the importer does not see the queue").isEqualTo(403);

        long reviewId = review.get("id").asLong();
        assertThat(as("frontdesk").post("/api/duplicate-reviews/" + reviewId + "/dismiss", Map.of()).status()).isEqualTo(422);
        Api.Response dismissed = as("frontdesk").post("/api/duplicate-reviews/" + reviewId + "/dismiss",
                Map.of("reason", "different mothers' names on the ID checked at the desk"));
        assertThat(dismissed.status()).as(dismissed.toString()).isEqualTo(204);
        assertThat(jdbc.sql("select outcome from duplicate_review where id = ?").param(reviewId).query(String.class).single())
                .isEqualTo("DIFFERENT_PEOPLE");
        assertThat(as("frontdesk").post("/api/duplicate-reviews/" + reviewId + "/dismiss", Map.of("reason", "again")).status())
                .isEqualTo(404);
    }

    @Test
    void aMergeClosesTheReviewOfThePair() {
        Api.Response registered = as("frontdesk").post("/api/patients",
                PatientJson.reviewed(1, PatientJson.provisional("Fusionova", "Odile", "1958-09-30", "F")));
        long existing = registered.json().get("id").asLong();
        long imported = patientFromLocation(importBundle(bundle(Bundle.BundleType.TRANSACTION, "Fusionova", "Odile", "1958-09-30", 1)), 0);
        Api.Response merged = as("frontdesk").post("/api/patients/" + existing + "/merge",
                Map.of("mergedId", imported, "reason", "same person, imported from the regional record"));
        assertThat(merged.status()).as(merged.toString()).isEqualTo(201);
        assertThat(jdbc.sql("select outcome from duplicate_review where patient_id = ? and candidate_id = ?").param(imported).param(existing)
                .query(String.class).single()).isEqualTo("MERGED");
    }

    @Test
    void theFrontDeskWorksTheQueueOnItsScreen() {
        long existing = as("frontdesk").post("/api/patients",
                PatientJson.reviewed(1, PatientJson.provisional("Ecranova", "Lise", "1975-06-21", "F"))).json().get("id").asLong();
        long imported = patientFromLocation(importBundle(bundle(Bundle.BundleType.TRANSACTION, "Ecranova", "Lise", "1975-06-21", 1)), 0);
        long reviewId = jdbc.sql("select id from duplicate_review where patient_id = ? and candidate_id = ?").param(imported).param(existing)
                .query(Long.class).single();

        BrowserSession desk = BrowserSession.signedIn(port, "frontdesk");
        Api.Response page = desk.page("/patients/duplicates");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("review-" + reviewId).contains("Ecranova");
        Map<String, String> merge = Map.of("survivorId", Long.toString(existing), "mergedId", Long.toString(imported),
                "reason", "same person: identity card checked at the desk");
        assertThat(desk.pageForm("/patients/duplicates/" + reviewId + "/merge", merge, false).status()).as("no CSRF token").isEqualTo(403);
        Api.Response merged = desk.pageForm("/patients/duplicates/" + reviewId + "/merge", merge, true);
        assertThat(merged.status()).isEqualTo(302);
        assertThat(merged.header("Location")).endsWith("/patients/duplicates");
        assertThat(jdbc.sql("select outcome from duplicate_review where id = ?").param(reviewId).query(String.class).single()).isEqualTo("MERGED");
        assertThat(desk.page("/patients/duplicates").body()).doesNotContain("review-" + reviewId + "\"");

        BrowserSession nurse = BrowserSession.signedIn(port, "nurse");
        assertThat(nurse.page("/patients/duplicates").status()).as("the queue is the front desk's").isEqualTo(403);
    }

    @Test
    void aPersonSentTwiceInOneImportIsStillRefused() {
        long patients = count("patient");
        Api.Response twice = importBundle(bundle(Bundle.BundleType.TRANSACTION, "Doublova", "Jeanne", "1984-02-29", 2));
        assertThat(twice.status()).as(twice.toString()).isEqualTo(409);
        assertThat(twice.body()).contains("same import");
        assertThat(count("patient")).as("a transaction: nothing written").isEqualTo(patients);

        Api.Response batch = importBundle(bundle(Bundle.BundleType.BATCH, "Doublovb", "Jeanne", "1984-02-29", 2));
        assertThat(batch.status()).as(batch.toString()).isEqualTo(200);
        assertThat(batch.json().at("/entry/0/response/status").asString()).startsWith("201");
        assertThat(batch.json().at("/entry/2/response/status").asString()).startsWith("409");
        assertThat(count("patient")).isEqualTo(patients + 1);
    }
}
