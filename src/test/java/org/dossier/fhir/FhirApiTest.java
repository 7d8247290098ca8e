package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The FHIR facade against the running server with HAPI's own client, through the same gateway, audit and guard
 * as the REST API; every resource type it returns passes HAPI's instance validator without an error.
 */
class FhirApiTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    /** A patient in the physician's care with one record of each kind. */
    private long patientWithRecord() {
        Fixtures f = fixtures();
        Api.Response created = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, PatientJson.valid("Fhirson", "Flora")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long patient = created.json().get("id").asLong();
        f.careFor(patient, "physician");
        Api doc = as("physician");
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"), "attendingId", f.staffId("physician"),
                "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "dyspnoea"));
        doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Amoxicilline", "substanceCode", "J01CA04",
                "reaction", "urticaria", "severity", "SEVERE"));
        doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I50.0", "label", "Insuffisance cardiaque congestive"));
        doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 82));
        doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "BLOOD_PRESSURE", "value", 135, "value2", 85));
        doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "LAB", "value", 4.1, "code", "2823-3",
                "label", "Potassium", "unit", "mmol/L"));
        doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Furosémide 40 mg", "atcCode", "C03CA01", "dose", "40 mg",
                "route", "ORAL", "frequency", "once a day", "durationDays", 7));
        return patient;
    }

    @Test
    void theCapabilityStatementIsPublicAndNamesWhatIsServed() {
        Api.Response metadata = anonymous().get("/fhir/metadata");
        assertThat(metadata.status()).isEqualTo(200);
        CapabilityStatement cs = FHIR.newJsonParser().parseResource(CapabilityStatement.class, metadata.body());
        List<String> types = cs.getRestFirstRep().getResource().stream().map(r -> r.getType()).toList();
        assertThat(types).contains("Patient", "AllergyIntolerance", "Condition", "Observation", "MedicationRequest", "Encounter",
                "Appointment", "CareTeam", "DocumentReference", "Coverage", "Invoice", "Organization", "Location", "Practitioner",
                "PractitionerRole", "AuditEvent");
        assertThat(cs.getRestFirstRep().getInteraction()).as("transaction and batch Bundles")
                .anyMatch(i -> i.getCode() == CapabilityStatement.SystemRestfulInteraction.TRANSACTION);
        Api.Response anonymousRead = anonymous().get("/fhir/Patient/1");
        assertThat(anonymousRead.status()).isEqualTo(401);
        assertThat(anonymousRead.body()).contains("OperationOutcome");
    }

    @Test
    void aClinicianReadsAndSearchesThroughTheGatewayAndEveryResourceValidates() {
        long patient = patientWithRecord();
        IGenericClient fhir = client("physician");
        List<IBaseResource> served = new ArrayList<>();

        Patient read = fhir.read().resource(Patient.class).withId(Long.toString(patient)).execute();
        assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Fhirson");
        served.add(read);

        Bundle found = fhir.search().forResource(Patient.class).where(Patient.FAMILY.matches().value("Fhirson"))
                .and(Patient.GIVEN.matches().value("Flo")).returnBundle(Bundle.class).execute();
        assertThat(found.getEntry()).isNotEmpty();
        Patient summary = (Patient) found.getEntry().get(0).getResource();
        assertThat(summary.getMeta().getTag()).anyMatch(t -> t.getCode().equals("SUBSETTED"));
        assertThat(summary.getBirthDateElement().getValueAsString()).hasSize(4);
        assertThat(summary.getTelecom()).as("a search result is no chart").isEmpty();
        served.add(summary);

        for (Class<? extends IBaseResource> type : List.of(AllergyIntolerance.class, Condition.class, Observation.class,
                MedicationRequest.class, Encounter.class)) {
            Bundle bundle = fhir.search().forResource(type).where(new ca.uhn.fhir.rest.gclient.ReferenceClientParam("patient")
                    .hasId("Patient/" + patient)).returnBundle(Bundle.class).execute();
            assertThat(bundle.getEntry()).as(type.getSimpleName()).isNotEmpty();
            bundle.getEntry().forEach(e -> served.add(e.getResource()));
            IBaseResource one = fhir.read().resource(type).withId(bundle.getEntry().get(0).getResource().getIdElement().getIdPart()).execute();
            served.add(one);
        }
        assertThat(served.stream().map(r -> r.getClass().getSimpleName()).distinct())
                .contains("Patient", "AllergyIntolerance", "Condition", "Observation", "MedicationRequest", "Encounter");

        FhirValidator validator = validator();
        assertThat(validator.validateWithResult(new Observation()).getMessages())
                .as("the validator does find errors (an Observation without status or code)")
                .anyMatch(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal());
        assertThat(validationErrors(served)).isEmpty();

        long entries = jdbc.sql("select count(*) from audit_entry where actor_username = 'physician' and patient_id = ? and decision = 'ALLOW'")
                .param(patient).query(Long.class).single();
        assertThat(entries).as("each FHIR read and search is audited").isGreaterThanOrEqualTo(12);
        assertThat(jdbc.sql("select count(*) from guard_touch t join staff s on s.id = t.staff_id where s.username = 'physician' and patient_id = ?")
                .param(patient).query(Long.class).single()).as("and charged to the guard").isEqualTo(1);
    }

    @Test
    void versionsAreReadBackWithVreadAndHistory() {
        long patient = patientWithRecord();
        Api.Response read = as("frontdesk").get("/api/patients/" + patient);
        Map<String, Object> change = new java.util.HashMap<>(Map.of("version", 1, "reason", "used name after marriage"));
        Map<String, Object> data = Api.jsonMapper().convertValue(read.json().get("data"), Map.class);
        data.put("usedName", "Martin");
        change.put("patient", data);
        assertThat(as("frontdesk").put("/api/patients/" + patient, change).status()).isEqualTo(200);

        IGenericClient fhir = client("physician");
        Bundle history = fhir.history().onInstance("Patient/" + patient).returnBundle(Bundle.class).execute();
        assertThat(history.getEntry()).hasSize(2);
        Patient first = fhir.read().resource(Patient.class).withIdAndVersion(Long.toString(patient), "1").execute();
        assertThat(first.getName()).noneMatch(n -> "Martin".equals(n.getFamily()));
        Patient second = fhir.read().resource(Patient.class).withIdAndVersion(Long.toString(patient), "2").execute();
        assertThat(second.getName()).anyMatch(n -> "Martin".equals(n.getFamily()));

        Bundle allergies = fhir.search().forResource(AllergyIntolerance.class)
                .where(new ca.uhn.fhir.rest.gclient.ReferenceClientParam("patient").hasId("Patient/" + patient)).returnBundle(Bundle.class).execute();
        String allergy = allergies.getEntry().get(0).getResource().getIdElement().getIdPart();
        assertThat(fhir.history().onInstance("AllergyIntolerance/" + allergy).returnBundle(Bundle.class).execute().getEntry()).hasSize(1);
        assertThat(fhir.read().resource(AllergyIntolerance.class).withIdAndVersion(allergy, "1").execute().getCode().getText())
                .isEqualTo("Amoxicilline");
        assertThatThrownBy(() -> client("physician.sud").history().onInstance("Patient/" + patient).returnBundle(Bundle.class).execute())
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void theFrontDeskRegistersAPatientOverFhirAndBadInputIsAnOperationOutcome() {
        IGenericClient desk = client("frontdesk");
        Patient p = new Patient();
        p.addName().setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).setFamily("Interop").addGiven("Irène").addGiven("Marie");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1984-03-07"));
        p.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE)
                .setUse(org.hl7.fhir.r4.model.ContactPoint.ContactPointUse.MOBILE).setValue("06 39 98 12 34");
        p.addAddress().addLine("12 rue Garibaldi").setPostalCode("69003").setCity("Lyon").setCountry("FR");
        ca.uhn.fhir.rest.api.MethodOutcome created = desk.create().resource(p).execute();
        assertThat(created.getCreated()).isTrue();
        String id = created.getId().getIdPart();
        Patient back = desk.read().resource(Patient.class).withId(id).execute();
        assertThat(back.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Irène Marie");
        assertThat(back.getBirthDateElement().getValueAsString()).isEqualTo("1984-03-07");
        assertThat(back.getTelecomFirstRep().getValue()).isEqualTo("0639981234");
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and action = 'create'").param(Long.parseLong(id))
                .query(Long.class).single()).isEqualTo(1);

        Patient again = p.copy();
        assertThatThrownBy(() -> desk.create().resource(again).execute()).as("a possible duplicate")
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException.class).hasMessageContaining("duplicate");

        Patient bad = new Patient();
        bad.addName().setFamily("Sansdate").addGiven("Sam");
        assertThatThrownBy(() -> desk.create().resource(bad).execute())
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class).hasMessageContaining("birthDate");
        assertThatThrownBy(() -> client("billing").create().resource(p.copy()).execute())
                .isInstanceOf(ForbiddenOperationException.class);
    }

    @Test
    void aClinicianRecordsAllergiesDiagnosesAndObservationsOverFhirOnlyForTheirPatients() {
        long patient = patientWithRecord();
        IGenericClient doc = client("physician");
        AllergyIntolerance allergy = new AllergyIntolerance();
        allergy.setPatient(new org.hl7.fhir.r4.model.Reference("Patient/" + patient));
        allergy.setCode(new org.hl7.fhir.r4.model.CodeableConcept().setText("Iode"));
        allergy.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        assertThat(doc.create().resource(allergy).execute().getCreated()).isTrue();

        Condition condition = new Condition();
        condition.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/" + patient));
        condition.setCode(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(
                "http://hl7.org/fhir/sid/icd-10", "E11.9", "Type 2 diabetes")).setText("Diabète de type 2"));
        assertThat(doc.create().resource(condition).execute().getCreated()).isTrue();
        Condition snomed = new Condition();
        snomed.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/" + patient));
        snomed.setCode(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(
                "http://snomed.info/sct", "44054006", "Diabetes mellitus type 2")));
        assertThatThrownBy(() -> doc.create().resource(snomed).execute())
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class).hasMessageContaining("ICD-10");
        // A day that does not exist is the sender's mistake (HAPI's parser answers 400 naming it), not a server error; nothing is written.
        long conditionsBefore = count("problem where patient_id = " + patient);
        Api.Response noSuchDay = anonymous().withBearer(as("physician").token()).postRaw("/fhir/Condition", "application/fhir+json",
                "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/" + patient + "\"},"
                        + "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"E11.9\"}]},"
                        + "\"onsetDateTime\":\"2024-02-30\"}");
        assertThat(noSuchDay.status()).as(noSuchDay.body()).isEqualTo(400);
        assertThat(noSuchDay.body()).contains("OperationOutcome", "2024-02-30");
        assertThat(count("problem where patient_id = " + patient)).isEqualTo(conditionsBefore);

        Observation pulse = new Observation();
        pulse.setStatus(Observation.ObservationStatus.FINAL);
        pulse.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/" + patient));
        pulse.setCode(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding("http://loinc.org", "8867-4", "Heart rate")));
        pulse.setValue(new org.hl7.fhir.r4.model.Quantity().setValue(71).setUnit("/min").setSystem("http://unitsofmeasure.org").setCode("/min"));
        assertThat(doc.create().resource(pulse).execute().getCreated()).isTrue();

        // the substance and the code are sealed (ADR 0051): read back through the server
        assertThat(as("physician").get("/api/patients/" + patient + "/allergies").json().valueStream()
                .filter(a -> a.get("substance").asString().equals("Iode")).map(a -> a.get("severity").asString())).containsExactly("SEVERE");
        assertThat(as("physician").get("/api/patients/" + patient + "/problems").json().valueStream()
                .filter(p -> p.get("icd10Code").asString().equals("E11.9"))).hasSize(1);
        assertThat(count("observation where patient_id = " + patient + " and kind = 'HEART_RATE' and value = 71")).isEqualTo(1);

        assertThatThrownBy(() -> client("er.physician").create().resource(allergy).execute()).as("no relationship, no writing")
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(as("physician").get("/api/patients/" + patient + "/allergies").json().valueStream()
                .filter(a -> a.get("substance").asString().equals("Iode"))).as("still one").hasSize(1);
    }

    @Test
    void anUnrelatedClinicianGetsA403OperationOutcomeAndAnotherFacilityNothing() {
        long patient = patientWithRecord();
        assertThatThrownBy(() -> client("er.physician").read().resource(Patient.class).withId(Long.toString(patient)).execute())
                .isInstanceOf(ForbiddenOperationException.class).hasMessageContaining("break the glass");
        assertThatThrownBy(() -> client("physician.sud").read().resource(Patient.class).withId(Long.toString(patient)).execute())
                .isInstanceOf(ResourceNotFoundException.class);
        Api.Response raw = anonymous().withBearer(as("physician.sud").token())
                .get("/fhir/Condition?patient=Patient/" + patient);
        assertThat(raw.status()).isEqualTo(404);
        assertThat(raw.body()).contains("OperationOutcome");
        assertThat(count("audit_entry where actor_username = 'physician.sud' and patient_id = " + patient + " and decision = 'DENY'"))
                .isGreaterThanOrEqualTo(2);
        Api.Response tooBroad = anonymous().withBearer(as("frontdesk").token()).get("/fhir/Patient?family=fh");
        assertThat(tooBroad.status()).as(tooBroad.body()).isEqualTo(422);
        assertThat(tooBroad.body()).contains("OperationOutcome", "3");
    }

    @Test
    void theDirectoryAppointmentsAndTheAuditTrailAreServedToo() {
        long patient = patientWithRecord();
        IGenericClient fhir = client("physician");
        FhirValidator validator = validator();
        List<IBaseResource> served = new ArrayList<>();
        served.add(fhir.read().resource(org.hl7.fhir.r4.model.Organization.class).withId("1").execute());
        served.add(fhir.read().resource(org.hl7.fhir.r4.model.Location.class).withId(Integer.toString(fixtures().unit(1, "CARDIO"))).execute());
        served.add(fhir.read().resource(org.hl7.fhir.r4.model.Practitioner.class).withId(Long.toString(fixtures().staffId("physician"))).execute());
        Bundle appointments = fhir.search().forResource(org.hl7.fhir.r4.model.Appointment.class)
                .where(new ca.uhn.fhir.rest.gclient.ReferenceClientParam("patient").hasId("Patient/" + patient)).returnBundle(Bundle.class).execute();
        appointments.getEntry().forEach(e -> served.add(e.getResource()));

        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString();
        Api.Response events = anonymous().withBearer(as("security").token())
                .get("/fhir/AuditEvent?date=ge" + today + "&date=lt" + tomorrow + "&patient=Patient/" + patient);
        assertThat(events.status()).as(events.body()).isEqualTo(200);
        Bundle audit = FHIR.newJsonParser().parseResource(Bundle.class, events.body());
        assertThat(audit.getEntry()).isNotEmpty();
        audit.getEntry().stream().limit(5).forEach(e -> served.add(e.getResource()));
        assertThatThrownBy(() -> client("physician").search().byUrl("AuditEvent?date=ge" + today + "&date=lt" + tomorrow)
                .returnBundle(Bundle.class).execute()).as("the trail is the security officer's").isInstanceOf(ForbiddenOperationException.class);

        assertThat(validationErrors(served)).isEmpty();
    }

    /** The errors HAPI's instance validator finds in each resource (see {@link FhirValidation}). */
    static List<String> validationErrors(java.util.Collection<? extends IBaseResource> resources) {
        return FhirValidation.errors(resources);
    }

    static FhirValidator validator() {
        return FhirValidation.validator();
    }
}
