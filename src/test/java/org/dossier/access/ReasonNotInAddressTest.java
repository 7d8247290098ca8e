package org.dossier.access;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.OwnerCopy;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone's words travel in a request's body, never in its address (issue 22): a query string reaches the access logs of
 * every proxy on the way (HAProxy, a reverse proxy), which nothing seals. A restriction is lifted with its reason in a JSON
 * body or a form body; {@code ?reason=} is refused (400) without lifting, and so is any change that puts a reason,
 * comment, note or title in its query. Neither the answer nor the audit trail repeats the words.
 */
class ReasonNotInAddressTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    @Test
    void aReasonInAJsonBodyLiftsTheRestrictionAndTheTrailNamesOnlyTheRestriction() {
        Lift lift = liftWithABody("security");

        assertThat(lift.answer().status()).as(lift.answer().toString()).isEqualTo(204);
        assertThat(liftedReasonStored(lift.patient())).isTrue();
        assertThat(trailSince(lift.before())).as("the trail: the restriction's id, never the words").contains("lifted")
                .doesNotContain(lift.word());
    }

    @Test
    void aReasonInAFormBodyLiftsTheRestriction() {
        long patient = restricted();
        String word = word("Formulaire");

        Api.Response lifted = as("security").deleteRaw("/api/patients/" + patient + "/restriction", "application/x-www-form-urlencoded",
                "reason=Demande+retiree+" + word);

        assertThat(lifted.status()).as(lifted.toString()).isEqualTo(204);
        assertThat(liftedReasonStored(patient)).isTrue();
    }

    @Test
    void aReasonInTheAddressIsRefusedAndNothingIsLifted() {
        long patient = restricted();
        long before = lastSeq();
        String word = word("Adresse");

        Api.Response refused = as("security").delete("/api/patients/" + patient + "/restriction?reason=Demande%20retiree%20" + word);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().get("type").asString()).endsWith("/words-in-address");
        assertThat(refused.body()).contains("'reason'").doesNotContain(word);
        assertThat(as("security").get("/api/patients/" + patient + "/restriction").status()).as("still restricted").isEqualTo(200);
        assertThat(trailSince(before)).doesNotContain(word);
    }

    @Test
    void aRefusedLiftIsAuditedByItsPathWithoutItsWords() {
        Lift lift = liftWithABody("physician");

        assertThat(lift.answer().status()).as(lift.answer().toString()).isEqualTo(403);
        assertThat(trailSince(lift.before())).as("the refusal is in the trail").contains("DENY").doesNotContain(lift.word());
        assertThat(as("security").get("/api/patients/" + lift.patient() + "/restriction").status()).as("still restricted").isEqualTo(200);
    }

    @Test
    void anyChangeWithWordsInItsQueryIsRefusedWhileSearchesKeepTheirs() {
        long patient = fixtures().patientInCare();
        String word = word("Titre");

        Api.Response upload = as("physician").upload("/api/patients/" + patient + "/documents?title=" + word, "Compte rendu",
                "cr.pdf", "application/pdf", "%PDF-1.4 test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(400);
        assertThat(upload.body()).doesNotContain(word);
        assertThat(jdbc.sql("select count(*) from clinical_document where patient_id = ?").param(patient).query(Long.class).single())
                .as("nothing stored").isZero();
        Api.Response review = as("security").post("/api/access/break-glass/1/review?comment=" + word, Map.of("outcome", "JUSTIFIED"));
        assertThat(review.status()).as(review.toString()).isEqualTo(400);

        assertThat(as("admin").get("/api/staff?q=phys").status()).as("a search keeps its criteria in the query").isEqualTo(200);
        Api.Response titled = as("physician").upload("/api/patients/" + patient + "/documents", "Compte rendu " + word, "cr.pdf",
                "application/pdf", "%PDF-1.4 test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(titled.status()).as("the title as a multipart field: " + titled).isEqualTo(201);
    }

    /** A lift of a new restriction, its reason in a JSON body, by an account; with the trail's last entry before it. */
    private record Lift(long patient, long before, String word, Api.Response answer) {
    }

    private Lift liftWithABody(String account) {
        long patient = restricted();
        long before = lastSeq();
        String word = word("Levee");
        return new Lift(patient, before, word,
                as(account).delete("/api/patients/" + patient + "/restriction", Map.of("reason", "Demande retiree " + word)));
    }

    private long restricted() {
        long patient = fixtures().patient();
        Api.Response restricted = as("security").put("/api/patients/" + patient + "/restriction",
                Map.of("kind", "REQUESTED", "reason", "Demande de confidentialite"));
        assertThat(restricted.status()).as(restricted.toString()).isEqualTo(201);
        return patient;
    }

    private boolean liftedReasonStored(long patient) {
        return jdbc.sql("select lifted_at is not null and sealed_lift_reason is not null from patient_restriction where patient_id = ?")
                .param(patient).query(Boolean.class).single();
    }

    private long lastSeq() {
        return jdbc.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
    }

    private String trailSince(long seq) {
        return OwnerCopy.of(owner, "select * from audit_entry where seq > " + seq);
    }

    private static String word(String prefix) {
        return prefix + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
    }
}
