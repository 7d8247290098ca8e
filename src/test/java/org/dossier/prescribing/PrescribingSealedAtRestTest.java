package org.dossier.prescribing;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Prescribing sealed at rest (V65, ADR 0052): an order written through the API leaves no drug, dose, frequency nor reason
 * in clear in its row or its versions as the database's owner reads them; the API, the history and FHIR still show them;
 * the allergy check still works on a renewal (it reads the sealed order); a value copied to another row does not open; a
 * shredded patient's orders read as erased (never a 500) and take no new order; an order written in clear before V65
 * still reads, and the rotation job's declaration seals it.
 */
class PrescribingSealedAtRestTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    List<SealedValues> sealedValues;

    private static Map<String, Object> order(String drug, String atc) {
        Map<String, Object> o = new HashMap<>(Map.of("drug", drug, "dose", "2 comprimés Sealdose", "route", "oral",
                "frequency", "matin et soir Sealfreq", "durationDays", 7));
        if (atc != null) {
            o.put("atcCode", atc);
        }
        return o;
    }

    /** Every row of the table about the patient, as the owner (past row-level security) copies it, lower-cased. */
    private String ownerView(String table, long patient) {
        return JdbcClient.create(owner).sql("select t::text from " + table + " t where patient_id = ?").param(patient)
                .query(String.class).list().toString().toLowerCase(Locale.ROOT);
    }

    @Test
    void anOrderIsSealedInItsRowAndVersionsAndStillReadsEverywhere() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        Api.Response created = doc.post("/api/patients/" + patient + "/prescriptions", order("Sealamoxicilline 1 g", "J01CA04"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long id = created.json().get("id").asLong();
        Api.Response stopped = doc.post("/api/prescriptions/" + id + "/stop", Map.of("version", 1, "reason", "Sealreason vomiting"));
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);

        for (String table : List.of("medication_order", "prescribing_version")) {
            assertThat(ownerView(table, patient)).as(table + " as its owner reads it").isNotEmpty()
                    .doesNotContain("sealamoxicilline", "sealdose", "sealfreq", "sealreason", "j01ca04");
        }
        assertThat(doc.get("/api/prescriptions/" + id).json().get("drug").asString()).isEqualTo("Sealamoxicilline 1 g");
        assertThat(doc.get("/api/prescriptions/" + id).json().get("statusReason").asString()).isEqualTo("Sealreason vomiting");
        assertThat(doc.get("/api/prescriptions/" + id + "/history").body()).contains("Sealamoxicilline 1 g", "J01CA04");
        assertThat(doc.get("/api/patients/" + patient + "/prescriptions").body()).contains("Sealamoxicilline 1 g", "Sealdose");
        Api.Response fhir = doc.get("/fhir/MedicationRequest/" + id);
        assertThat(fhir.status()).as(fhir.toString()).isEqualTo(200);
        assertThat(fhir.body()).contains("Sealamoxicilline 1 g");
        assertThat(doc.get("/api/patients/" + patient + "/chart").body()).as("the chart").doesNotContain("\"status\":500");

        // A renewal checks the sealed order's drug against the allergies recorded since.
        long active = doc.post("/api/patients/" + patient + "/prescriptions", order("Amoxicilline 500 mg", null)).json().get("id").asLong();
        as("nurse").post("/api/patients/" + patient + "/allergies", Map.of("substance", "Pénicillines", "severity", "SEVERE"));
        Api.Response renewal = doc.post("/api/prescriptions/" + active + "/renew", Map.of("version", 1, "durationDays", 10));
        assertThat(renewal.status()).as("the allergy check on the opened drug: " + renewal).isEqualTo(409);
        assertThat(renewal.json().get("type").asString()).endsWith("allergy-conflict");

        // Moved onto another order of the same patient, the sealed document does not open there.
        byte[] sealed = jdbc.sql("select sealed_order from medication_order where id = ?").param(id).query(byte[].class).single();
        assertThat(cipher.open(OrderRows.orderCell(id, 1, patient), sealed)).contains("Sealamoxicilline");
        assertThatThrownBy(() -> cipher.open(OrderRows.orderCell(active, 1, patient), sealed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aShreddedPatientsOrdersReadAsErasedAndTakeNoNewOne() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        long id = doc.post("/api/patients/" + patient + "/prescriptions", order("Sealshredded 5 mg", null)).json().get("id").asLong();
        long erasure = as("security").post("/api/patients/" + patient + "/erasure", Map.of("ground", "RETENTION_ENDED")).json()
                .get("id").asLong();
        assertThat(as("admin").post("/api/access/erasures/" + erasure + "/confirm", Map.of()).status()).isEqualTo(200);

        Api.Response read = doc.get("/api/prescriptions/" + id);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().get("drug").asString()).isEqualTo(OrderRows.ERASED);
        Api.Response list = doc.get("/api/patients/" + patient + "/prescriptions");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain("Sealshredded");
        Api.Response history = doc.get("/api/prescriptions/" + id + "/history");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        assertThat(history.body()).doesNotContain("Sealshredded");
        assertThat(doc.get("/fhir/MedicationRequest/" + id).status()).as("FHIR").isEqualTo(200);
        Api.Response fhirHistory = doc.get("/fhir/MedicationRequest/" + id + "/_history");
        assertThat(fhirHistory.status()).as("FHIR history: " + fhirHistory).isEqualTo(200);
        assertThat(fhirHistory.body()).doesNotContain("Sealshredded");
        Api.Response again = doc.post("/api/patients/" + patient + "/prescriptions", order("Paracétamol 1 g", null));
        assertThat(again.status()).as("a new order for an erased patient: " + again).isEqualTo(409);
    }

    @Test
    void anOrderWrittenInClearBeforeV65StillReadsAndTheRotationJobSealsIt() {
        long patient = fixtures().patientInCare();
        long prescriber = fixtures().staffId("physician");
        long id = jdbc.sql("""
                        insert into medication_order (facility_id, patient_id, drug, atc_code, dose, route, frequency, start_date, status,
                            prescriber_id, status_reason, version, created_at, updated_at)
                        values (1, ?, 'Sealegacy 20 mg', 'C10AA05', '1 cp', 'ORAL', 'le soir', current_date, 'STOPPED', ?, 'Sealoldreason',
                            1, now(), now()) returning id""").param(patient).param(prescriber).query(Long.class).single();
        Api doc = as("physician");
        assertThat(doc.get("/api/prescriptions/" + id).json().get("drug").asString()).isEqualTo("Sealegacy 20 mg");

        SealedValues orders = sealedValues.stream().filter(v -> v.name().equals("medication_order")).findFirst().orElseThrow();
        List<SealedValues.Value> values = org.dossier.platform.FacilityScope.asSystem(() -> orders.after(1, patient - 1, 1)).stream()
                .filter(v -> v.cell().rowId() == id).toList();
        assertThat(values).hasSize(2).allSatisfy(v -> assertThat(v.sealed()).isNull());
        for (SealedValues.Value v : values) {
            assertThat(org.dossier.platform.FacilityScope.asSystem(() -> orders.replace(v, cipher.seal(v.cell(), v.clear())))).isTrue();
        }
        assertThat(ownerView("medication_order", patient)).doesNotContain("sealegacy", "sealoldreason", "c10aa05");
        assertThat(doc.get("/api/prescriptions/" + id).json().get("drug").asString()).isEqualTo("Sealegacy 20 mg");
        assertThat(doc.get("/api/prescriptions/" + id).json().get("atcCode").asString()).isEqualTo("C10AA05");
        assertThat(doc.get("/api/prescriptions/" + id).json().get("statusReason").asString()).isEqualTo("Sealoldreason");
    }
}
