package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.dossier.platform.FacilityScope;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.LegacyValues;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Records received from other systems are sealed at rest with the patient's own key (V66, ADR 0053): a copy of the table
 * shows none of what was sent, the FHIR API serves it as before, a shredded patient's records read as erased, a value
 * moved to another row does not open, and the rotation job seals a row written in clear before V66. The import is named
 * by its content's SHA-256 in the audit trail and the origins, never by the file name (Synthea's is the patient's). An
 * encounter received as history keeps its place, practitioner and type code sealed too (V72), as its type and reason (V67).
 */
class ReceivedRecordsSealedAtRestTest extends IntegrationTest {

    private static final String CARE_PLAN = "Diabetes self management plan";
    private static final String REPORT = "Basic metabolic panel";
    /** The SNOMED code of the fixture's encounter's type (received-records.json). */
    private static final String TYPE_CODE = "185349003";
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    List<SealedValues> sealedValues;

    private record Imported(long patient, String family, String fileName, String json) {
    }

    private Imported importFixture() {
        String family = "Scelle" + UUID.randomUUID().toString().replaceAll("[^a-f]", "") + "e";
        return importFixture(family, ReceivedRecordsTest.bundle(family));
    }

    private Imported importFixture(String family, String json) {
        String fileName = family + "_Aaron697_" + UUID.randomUUID() + ".json";
        Api.Response answer = as("admin").postRaw("/fhir", "application/fhir+json", json,
                Map.of("X-Dossier-Facility", "1", "X-Dossier-Import-Source", fileName));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        String location = answer.body().replaceAll("(?s).*?\"location\" *: *\"Patient/(\\d+)[^\"]*\".*", "$1");
        return new Imported(Long.parseLong(location), family, fileName, json);
    }

    @Test
    void whatWasSentIsSealedAndServedAndTheImportIsNotNamedAfterThePatient() throws Exception {
        Imported imported = importFixture();
        long patient = imported.patient();

        String table = copyOut("select * from received_record where patient_id = " + patient);
        assertThat(table).as("the patient's received records, as a dump holds them").isNotEmpty()
                .doesNotContain(imported.family()).doesNotContain(CARE_PLAN).doesNotContain(REPORT).doesNotContain("Glucose");
        assertThat(jdbc.sql("select count(*) from received_record where patient_id = ? and (resource is not null or label is not null"
                + " or code is not null or sealed_resource is null or sealed_label is null)").param(patient).query(Long.class).single())
                .as("every row written sealed, nothing in clear").isZero();

        String name = ImportProvider.contentName(imported.json().getBytes(StandardCharsets.UTF_8));
        assertThat(copyOut("select * from audit_entry where patient_id = " + patient + " or detail like '%" + imported.family() + "%'"))
                .as("the audit trail keeps the patient's id, not the file's name").doesNotContain(imported.fileName())
                .doesNotContain(imported.family()).contains(name);
        assertThat(copyOut("select * from import_origin where patient_id = " + patient)).doesNotContain(imported.fileName())
                .doesNotContain(imported.family()).contains(name);

        fixtures().careFor(patient, "physician");
        String carePlan = fhirRead("CarePlan", patient);
        assertThat(carePlan).contains(CARE_PLAN).contains("urn:dossier:import:" + name);
        assertThat(fhirRead("DiagnosticReport", patient)).contains(REPORT);
        Api.Response chart = BrowserSession.signedIn(port, "physician").page("/patients/" + patient + "?tab=documents");
        assertThat(chart.status()).as(chart.toString()).isEqualTo(200);
        assertThat(chart.body()).contains(CARE_PLAN);
    }

    @Test
    void aValueMovedToAnotherRowDoesNotOpen() {
        long patient = importFixture().patient();
        List<Map<String, Object>> rows = jdbc.sql("select id, facility_id, sealed_label from received_record where patient_id = ? order by id")
                .param(patient).query().listOfRows();
        assertThat(rows).hasSizeGreaterThan(1);
        long first = ((Number) rows.get(0).get("id")).longValue();
        long second = ((Number) rows.get(1).get("id")).longValue();
        byte[] label = (byte[]) rows.get(0).get("sealed_label");
        assertThat(cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "received_record", "label", first), label)).isNotBlank();
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "received_record", "label", second), label))
                .as("another row").isInstanceOf(FieldCipher.SealedValueException.class);
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "received_record", "resource", first), label))
                .as("another column").isInstanceOf(FieldCipher.SealedValueException.class);
    }

    @Test
    void aShreddedPatientsRecordsReadAsErasedAndARowInClearIsSealedByTheRotationJob() throws Exception {
        long patient = importFixture().patient();
        fixtures().careFor(patient, "physician");
        long carePlan = recordOf("CarePlan", patient);
        // A row as written before V66: in clear; it is read so, then the rotation job's table seals it.
        try (Connection c = owner.getConnection()) {
            c.createStatement().execute("update received_record set resource = '{\"resourceType\":\"CarePlan\",\"status\":\"active\","
                    + "\"intent\":\"plan\",\"title\":\"Kept in clear\"}', label = 'Legacy plan', sealed_resource = null,"
                    + " sealed_label = null where id = " + carePlan);
        }
        assertThat(fhirRead("CarePlan", patient)).contains("Kept in clear");
        SealedValues table = sealedValues.stream().filter(t -> t.name().equals("received_record")).findFirst().orElseThrow();
        List<SealedValues.Value> values = FacilityScope.asSystem(() -> table.after(1, carePlan - 1, 1));
        assertThat(values).extracting(SealedValues.Value::clear).contains("Legacy plan");
        for (SealedValues.Value v : values) {
            if (v.clear() != null) {
                assertThat(FacilityScope.asSystem(() -> table.replace(v, cipher.seal(v.cell(), v.clear())))).isTrue();
            }
        }
        assertThat(copyOut("select * from received_record where id = " + carePlan)).doesNotContain("Legacy plan").doesNotContain("Kept in clear");
        assertThat(fhirRead("CarePlan", patient)).contains("Kept in clear");

        shred(patient);
        Api.Response read = as("physician").get("/fhir/CarePlan/r" + carePlan);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain("Kept in clear").doesNotContain(CARE_PLAN);
        Api.Response search = as("physician").get("/fhir/DiagnosticReport?patient=" + patient);
        assertThat(search.status()).as(search.toString()).isEqualTo(200);
        assertThat(search.body()).doesNotContain(REPORT);
        Api.Response chart = BrowserSession.signedIn(port, "physician").page("/patients/" + patient + "?tab=documents");
        assertThat(chart.status()).as(chart.toString()).isEqualTo(200);
        assertThat(chart.body()).doesNotContain(CARE_PLAN).doesNotContain("Kept in clear");
        byte[] sealed = jdbc.sql("select sealed_label from received_record where id = ?").param(carePlan).query(byte[].class).single();
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "received_record", "label", carePlan), sealed))
                .isInstanceOf(ErasedValueException.class);
    }

    @Test
    void aPastEncountersPlacePractitionerAndTypeCodeAreSealedAndServedAndARowInClearIsSealedByTheRotationJob() throws Exception {
        String family = "Ailleurs" + UUID.randomUUID().toString().replaceAll("[^a-f]", "") + "e";
        String practitioner = "Dr Nephrologue " + family;
        String organization = "Centre de dialyse " + family;
        Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, ReceivedRecordsTest.bundle(family));
        Encounter sent = (Encounter) bundle.getEntry().get(1).getResource();
        sent.addParticipant().setIndividual(new Reference().setDisplay(practitioner));
        sent.setServiceProvider(new Reference().setDisplay(organization));
        long patient = importFixture(family, FHIR.newJsonParser().encodeResourceToString(bundle)).patient();
        long past = jdbc.sql("select id from encounter_history where patient_id = ?").param(patient).query(Long.class).single();

        assertThat(copyOut("select * from encounter_history where patient_id = " + patient))
                .as("the past encounter, as a dump holds it").isNotEmpty().doesNotContain(family).doesNotContain(TYPE_CODE);
        fixtures().careFor(patient, "physician");
        assertThat(pastEncounter(past)).contains(practitioner).contains(organization).contains(TYPE_CODE);

        // A row as written before V72: in clear; it is read so, then the rotation job's table seals it.
        try (Connection c = owner.getConnection()) {
            c.createStatement().execute("update encounter_history set practitioner = 'Dr Legacy " + family + "', organization ="
                    + " 'Legacy " + family + "', type_code = '999" + past + "', sealed_practitioner = null, sealed_organization = null,"
                    + " sealed_type_code = null where id = " + past);
        }
        assertThat(pastEncounter(past)).contains("Dr Legacy " + family).contains("999" + past);
        LegacyValues.seal(sealedValues, cipher, "encounter_history", past);
        assertThat(copyOut("select * from encounter_history where id = " + past)).doesNotContain(family).doesNotContain("999" + past);
        assertThat(pastEncounter(past)).contains("Dr Legacy " + family).contains("Legacy " + family).contains("999" + past);
    }

    private String pastEncounter(long id) {
        Api.Response r = as("physician").get("/fhir/Encounter/" + FhirCodes.PAST_ENCOUNTER_PREFIX + id);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    private long recordOf(String type, long patient) {
        return jdbc.sql("select min(id) from received_record where patient_id = ? and resource_type = ?").param(patient).param(type)
                .query(Long.class).single();
    }

    private String fhirRead(String type, long patient) {
        Api.Response r = as("physician").get("/fhir/" + type + "/r" + recordOf(type, patient));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }


    /** What a dump holds of the rows the query selects: COPY as the tables' owner. */
    private String copyOut(String query) {
        return org.dossier.support.OwnerCopy.of(owner, query);
    }
}
