package org.dossier.access;

import org.dossier.identity.CredentialService;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.LegacyValues;
import org.dossier.support.OwnerCopy;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What staff write about a patient's record is sealed at rest (V70, ADR 0055): a restriction's reasons, a break-the-glass
 * justification and its review, a merge's reasons, a registry version's reason, a duplicate review's resolution. A copy of
 * the tables shows none of the sentences, nor do the new audit entries (codes and ids only); the officer, the front desk
 * and the API read them as before; rows written in clear before V70 read as before and are sealed by the rotation job's
 * tables. A shredded patient's restriction and merge reasons read as erased, without an error, while a break-the-glass
 * justification, sealed with the facility's key, survives the patient's shredding.
 */
class StaffTextSealedAtRestTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    List<SealedValues> sealedValues;
    @Autowired
    CredentialService credentials;

    @Test
    void restrictionsAndBreakingTheGlassAreSealedTheOfficerReadsThemAndTheJustificationOutlivesTheShredding() {
        Fixtures f = fixtures();
        long patient = f.patient();
        String word = word("Vitre");
        String doctor = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, f.unit(1, "URG"));
        Api.Response granted = as(doctor).post("/api/patients/" + patient + "/break-glass", Map.of("reason", "EMERGENCY_CARE",
                "justification", "Arret cardiaque aux urgences " + word));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        long grant = granted.json().get("id").asLong();
        assertThat(granted.json().get("justification").asString()).isEqualTo("Arret cardiaque aux urgences " + word);
        assertThat(BrowserSession.signedIn(port, "security").page("/security").body()).as("the officer's console")
                .contains("Arret cardiaque aux urgences " + word);
        Api.Response reviewed = as("security").post("/api/access/break-glass/" + grant + "/review", Map.of("outcome", "NOT_JUSTIFIED",
                "comment", "Pas aux urgences ce jour " + word));
        assertThat(reviewed.status()).as(reviewed.toString()).isEqualTo(200);
        assertThat(reviewed.json().get("reviewComment").asString()).isEqualTo("Pas aux urgences ce jour " + word);

        Api.Response restricted = as("security").put("/api/patients/" + patient + "/restriction", Map.of("kind", "REQUESTED",
                "reason", "Demande de confidentialite " + word));
        assertThat(restricted.status()).as(restricted.toString()).isEqualTo(201);
        long restriction = restricted.json().get("id").asLong();
        assertThat(restricted.json().get("reason").asString()).isEqualTo("Demande de confidentialite " + word);
        assertThat(as("security").delete("/api/patients/" + patient + "/restriction", Map.of("reason", "Levee demandee " + word)).status())
                .isEqualTo(204);
        Api.Response again = as("security").put("/api/patients/" + patient + "/restriction", Map.of("kind", "REQUESTED",
                "reason", "Nouvelle demande " + word));
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(as("security").get("/api/patients/" + patient + "/restriction").json().get("reason").asString())
                .isEqualTo("Nouvelle demande " + word);

        assertThat(copyOut("select * from patient_restriction where patient_id = " + patient)).as("the restrictions, as a dump holds them")
                .isNotEmpty().doesNotContain(word);
        assertThat(copyOut("select * from break_glass_grant where id = " + grant)).as("the grant").isNotEmpty().doesNotContain(word);
        String trail = copyOut("select * from audit_entry where patient_id = " + patient);
        assertThat(trail).as("the new audit entries: codes and ids").doesNotContain(word)
                .contains("EMERGENCY_CARE, grant " + grant).contains("NOT_JUSTIFIED, grant " + grant)
                .contains("REQUESTED, restriction " + restriction).contains("restriction " + restriction + " lifted");
        String window = "from=" + Instant.now().minus(1, ChronoUnit.HOURS) + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES);
        Api.Response events = as("security").get("/api/audit/events?" + window + "&patient=" + patient);
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        assertThat(events.body()).as("the FHIR AuditEvents name the grant").contains("BreakGlass/" + grant).doesNotContain(word);

        byte[] justification = jdbc.sql("select sealed_justification from break_glass_grant where id = ?").param(grant)
                .query(byte[].class).single();
        assertThat(cipher.open(new FieldCipher.Cell(1, "break_glass_grant", "justification", grant), justification))
                .as("sealed with the facility's key").isEqualTo("Arret cardiaque aux urgences " + word);
        assertThatThrownBy(() -> cipher.open(new FieldCipher.Cell(1, "break_glass_grant", "review_comment", grant), justification))
                .as("moved to another column").isInstanceOf(FieldCipher.SealedValueException.class);

        // A grant written before V70: read in clear, then sealed by the rotation job's table.
        jdbc.sql("update break_glass_grant set justification = ?, sealed_justification = null where id = ?")
                .param("Legacy " + word).param(grant).update();
        assertThat(officersGrant(grant).get("justification").asString()).isEqualTo("Legacy " + word);
        LegacyValues.seal(sealedValues, cipher, "break_glass_grant", grant);
        assertThat(copyOut("select * from break_glass_grant where id = " + grant)).doesNotContain(word);
        assertThat(officersGrant(grant).get("justification").asString()).isEqualTo("Legacy " + word);
        long current = again.json().get("id").asLong();
        jdbc.sql("update patient_restriction set reason = ?, sealed_reason = null where id = ?").param("Legacy " + word).param(current).update();
        assertThat(as("security").get("/api/patients/" + patient + "/restriction").json().get("reason").asString()).isEqualTo("Legacy " + word);
        LegacyValues.seal(sealedValues, cipher, "patient_restriction", current);
        assertThat(copyOut("select * from patient_restriction where id = " + current)).doesNotContain(word);
        assertThat(as("security").get("/api/patients/" + patient + "/restriction").json().get("reason").asString()).isEqualTo("Legacy " + word);

        shred(patient);
        Api.Response restrictionNow = as("security").get("/api/patients/" + patient + "/restriction");
        assertThat(restrictionNow.status()).as(restrictionNow.toString()).isEqualTo(200);
        assertThat(restrictionNow.json().get("reason").asString()).isEqualTo("(erased)");
        assertThat(officersGrant(grant).get("justification").asString()).as("the accountability record survives the shredding")
                .isEqualTo("Legacy " + word);
        assertThat(officersGrant(grant).get("reviewComment").asString()).isEqualTo("Pas aux urgences ce jour " + word);
    }

    @Test
    void mergesTheirVersionsAndDuplicateReviewsAreSealedShownAndErasedWithTheSurvivor() {
        Fixtures f = fixtures();
        long survivor = f.patient();
        long duplicate = f.patient();
        long other = f.patient();
        String word = word("Fusion");
        raiseReview(survivor, duplicate, f.staffId("frontdesk"));
        long review = raiseReview(other, survivor, f.staffId("frontdesk"));
        Api desk = as("frontdesk");
        assertThat(desk.post("/api/duplicate-reviews/" + review + "/dismiss", Map.of("reason", "Meres differentes " + word)).status())
                .isEqualTo(204);

        Api.Response merged = desk.post("/api/patients/" + survivor + "/merge", Map.of("mergedId", duplicate,
                "reason", "Meme personne, faute de frappe " + word));
        assertThat(merged.status()).as(merged.toString()).isEqualTo(201);
        long merge = merged.json().get("id").asLong();
        assertThat(merged.json().get("reason").asString()).isEqualTo("Meme personne, faute de frappe " + word);
        Api.Response undone = desk.post("/api/patient-merges/" + merge + "/undo", Map.of("reason", "Deux jumelles " + word));
        assertThat(undone.status()).as(undone.toString()).isEqualTo(200);
        assertThat(undone.json().get("undoReason").asString()).isEqualTo("Deux jumelles " + word);
        assertThat(desk.get("/api/patients/" + duplicate + "/merges").body()).contains("Meme personne, faute de frappe " + word)
                .contains("Deux jumelles " + word);
        assertThat(desk.get("/api/patients/" + survivor + "/history").body()).as("the versions' reasons")
                .contains("absorbed " + duplicate + ": Meme personne, faute de frappe " + word).contains("Deux jumelles " + word);

        String ids = survivor + ", " + duplicate + ", " + other;
        assertThat(copyOut("select * from patient_merge where id = " + merge)).as("the merge, as a dump holds it").isNotEmpty()
                .doesNotContain(word);
        assertThat(copyOut("select * from patient_version where patient_id in (" + ids + ")")).as("the versions").isNotEmpty()
                .doesNotContain(word);
        String reviews = copyOut("select * from duplicate_review where patient_id in (" + ids + ")");
        assertThat(reviews).as("the duplicate reviews").contains("MERGED").contains("DIFFERENT_PEOPLE").doesNotContain(word)
                .doesNotContain("merge " + merge);
        assertThat(copyOut("select * from audit_entry where patient_id in (" + ids + ")")).as("the trail").doesNotContain(word);

        // Rows written before V70: read in clear, then sealed by the rotation job's tables.
        jdbc.sql("update patient_merge set reason = ?, sealed_reason = null where id = ?").param("Legacy " + word).param(merge).update();
        jdbc.sql("update patient_version set reason = ?, sealed_reason = null where patient_id = ? and version = 1")
                .param("Legacy version " + word).param(survivor).update();
        assertThat(desk.get("/api/patients/" + survivor + "/merges").body()).contains("Legacy " + word);
        assertThat(desk.get("/api/patients/" + survivor + "/history").body()).contains("Legacy version " + word);
        LegacyValues.seal(sealedValues, cipher, "patient_merge", merge);
        LegacyValues.seal(sealedValues, cipher, "patient", survivor);
        jdbc.sql("update duplicate_review set resolution = ?, sealed_resolution = null where id = ?").param("Legacy review " + word)
                .param(review).update();
        LegacyValues.seal(sealedValues, cipher, "duplicate_review", review);
        assertThat(copyOut("select * from duplicate_review where id = " + review)).doesNotContain(word);
        byte[] resolution = jdbc.sql("select sealed_resolution from duplicate_review where id = ?").param(review).query(byte[].class).single();
        assertThat(cipher.open(FieldCipher.Cell.ofPatient(other, 1, "duplicate_review", "resolution", review), resolution))
                .as("with the review's patient's key").isEqualTo("Legacy review " + word);
        assertThat(copyOut("select * from patient_merge where id = " + merge)).doesNotContain(word);
        assertThat(copyOut("select * from patient_version where patient_id = " + survivor)).doesNotContain(word);
        assertThat(desk.get("/api/patients/" + survivor + "/merges").body()).contains("Legacy " + word);
        assertThat(desk.get("/api/patients/" + survivor + "/history").body()).contains("Legacy version " + word);

        shred(survivor);
        Api.Response merges = desk.get("/api/patients/" + duplicate + "/merges");
        assertThat(merges.status()).as(merges.toString()).isEqualTo(200);
        assertThat(merges.body()).as("sealed with the survivor's key").doesNotContain(word).contains("(erased)");
        Api.Response history = desk.get("/api/patients/" + survivor + "/history");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        assertThat(history.body()).doesNotContain(word).contains("(erased)");
    }

    /** A possible duplicate as an import raises it (ImportDuplicatesTest raises them through a real import). */
    private long raiseReview(long patient, long candidate, long raisedBy) {
        return jdbc.sql("""
                        insert into duplicate_review (facility_id, patient_id, candidate_id, reason, score, source, raised_by, raised_at)
                        values (1, ?, ?, 'SIMILAR_NAME_SAME_BIRTH_DATE', 0.9, 'sha256-test', ?, now()) returning id""")
                .param(patient).param(candidate).param(raisedBy).query(Long.class).single();
    }

    private tools.jackson.databind.JsonNode officersGrant(long grant) {
        Api.Response all = as("security").get("/api/access/break-glass?pending=false");
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        return all.json().valueStream().filter(g -> g.get("id").asLong() == grant).findFirst().orElseThrow();
    }

    private static String word(String prefix) {
        return prefix + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
    }

    private String copyOut(String query) {
        return OwnerCopy.of(owner, query);
    }
}
