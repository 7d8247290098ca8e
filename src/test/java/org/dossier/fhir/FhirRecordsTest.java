package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.gclient.ReferenceClientParam;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Invoice;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Care teams, documents, coverage, invoices, practitioner roles and updates over FHIR, through the same gateway. */
class FhirRecordsTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final byte[] PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    private long registered(String family) {
        Api.Response created = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, PatientJson.valid(family, "Rose")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asLong();
    }

    private static <T extends IBaseResource> List<T> search(IGenericClient fhir, Class<T> type, String param, long patient) {
        return fhir.search().forResource(type).where(new ReferenceClientParam(param).hasId("Patient/" + patient)).returnBundle(Bundle.class)
                .execute().getEntry().stream().map(e -> type.cast(e.getResource())).toList();
    }

    @Test
    void careTeamsDocumentsCoverageInvoicesAndRolesAreServedAndValidate() {
        Fixtures f = fixtures();
        long patient = registered("Recordson");
        f.careFor(patient, "physician");
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"), "attendingId", f.staffId("physician"),
                "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "chest pain"));
        IGenericClient doctor = client("physician");
        List<IBaseResource> served = new ArrayList<>();

        CareTeam team = doctor.read().resource(CareTeam.class).withId(Long.toString(patient)).execute();
        assertThat(team.getParticipant()).anyMatch(p -> p.getMember().getReference().equals("Practitioner/" + f.staffId("physician")));
        served.add(team);

        DocumentReference doc = new DocumentReference();
        doc.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        doc.setSubject(new Reference("Patient/" + patient));
        doc.getType().setText("REPORT");
        doc.addContent().setAttachment(new Attachment().setContentType("application/pdf").setData(PDF).setTitle("Echo report"));
        MethodOutcome filed = doctor.create().resource(doc).execute();
        assertThat(filed.getCreated()).isTrue();
        DocumentReference read = doctor.read().resource(DocumentReference.class).withId(filed.getId().getIdPart()).execute();
        assertThat(read.getContentFirstRep().getAttachment().getSize()).isEqualTo(PDF.length);
        assertThat(read.getContentFirstRep().getAttachment().getUrl()).endsWith("/content");
        assertThat(search(doctor, DocumentReference.class, "patient", patient)).hasSize(1);
        served.add(read);

        List<Coverage> coverage = search(client("billing"), Coverage.class, "beneficiary", patient);
        assertThat(coverage).extracting(c -> c.getIdElement().getIdPart()).containsExactly(patient + "-amo", patient + "-amc");
        served.addAll(coverage);
        served.add(client("billing").read().resource(Coverage.class).withId(patient + "-amo").execute());

        Api clerk = as("billing");
        long stay = jdbc.sql("select id from stay where patient_id = ?").param(patient).query(Long.class).single();
        long invoice = clerk.post("/api/invoices", Map.of("patientId", patient, "stayId", stay)).json().get("id").asLong();
        clerk.post("/api/invoices/" + invoice + "/lines", Map.of("version", 1, "actCode", "ATM"));
        Invoice fhirInvoice = client("billing").read().resource(Invoice.class).withId(Long.toString(invoice)).execute();
        assertThat(fhirInvoice.getLineItem()).hasSize(1);
        assertThat(fhirInvoice.getTotalGross().getCurrency()).isEqualTo("EUR");
        assertThat(search(client("billing"), Invoice.class, "patient", patient)).hasSize(1);
        served.add(fhirInvoice);

        List<PractitionerRole> roles = doctor.search().forResource(PractitionerRole.class)
                .where(new ReferenceClientParam("practitioner").hasId("Practitioner/" + f.staffId("physician"))).returnBundle(Bundle.class)
                .execute().getEntry().stream().map(e -> (PractitionerRole) e.getResource()).toList();
        assertThat(roles).hasSize(1);
        assertThat(roles.get(0).getLocation()).isNotEmpty();
        served.addAll(roles);

        assertThat(FhirApiTest.validationErrors(served)).isEmpty();
    }

    @Test
    void sectionsStayWithTheirRolesOverFhir() {
        long patient = registered("Sectionne");
        fixtures().careFor(patient, "physician");
        assertThat(as("billing").get("/fhir/DocumentReference?patient=Patient/" + patient).status()).isEqualTo(403);
        assertThat(as("frontdesk").get("/fhir/Invoice?patient=Patient/" + patient).status()).isEqualTo(403);
        Api.Response unrelated = as("er.physician").get("/fhir/CareTeam/" + patient);
        assertThat(unrelated.status()).isEqualTo(403);
        assertThat(unrelated.body()).contains("OperationOutcome");
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and decision = 'DENY' and actor_username in ('billing', 'frontdesk', 'er.physician')")
                .param(patient).query(Long.class).single()).isEqualTo(3);
    }

    @Test
    void updatesNeedTheVersionAndAReasonAndKeepWhatFhirDoesNotCarry() {
        long patient = registered("Updatier");
        IGenericClient desk = client("frontdesk");
        Patient current = desk.read().resource(Patient.class).withId(Long.toString(patient)).execute();
        current.getTelecom().clear();
        current.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setUse(ContactPoint.ContactPointUse.MOBILE).setValue("+33639981299");

        assertThatThrownBy(() -> desk.update().resource(current.copy().setId("Patient/" + patient)).execute())
                .isInstanceOf(PreconditionFailedException.class);

        Patient sent = current.copy();
        sent.setId(new org.hl7.fhir.r4.model.IdType("Patient", Long.toString(patient), "1"));
        assertThatThrownBy(() -> desk.update().resource(sent).execute()).as("an update without its reason")
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class)
                .hasMessageContaining("X-Dossier-Change-Reason");
        MethodOutcome changed = desk.update().resource(sent).withAdditionalHeader("X-Dossier-Change-Reason", "new mobile number").execute();
        assertThat(changed.getId().getVersionIdPart()).isEqualTo("2");
        Api.Response record = as("frontdesk").get("/api/patients/" + patient);
        assertThat(record.body()).contains("0639981299".substring(1)).contains("MGEN").contains("Paul Test");

        assertThatThrownBy(() -> desk.update().resource(sent).withAdditionalHeader("X-Dossier-Change-Reason", "again").execute())
                .as("a change against a version someone else already changed: 412 (FHIR http.html#concurrency)")
                .isInstanceOf(PreconditionFailedException.class);

        fixtures().careFor(patient, "physician");
        IGenericClient doctor = client("physician");
        AllergyIntolerance a = new AllergyIntolerance();
        a.setPatient(new Reference("Patient/" + patient));
        a.getCode().setText("Pénicilline");
        a.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        String id = doctor.create().resource(a).execute().getId().getIdPart();
        AllergyIntolerance resolved = doctor.read().resource(AllergyIntolerance.class).withId(id).execute();
        resolved.getClinicalStatus().getCodingFirstRep().setCode("resolved");
        resolved.setId(new org.hl7.fhir.r4.model.IdType("AllergyIntolerance", id, "1"));
        MethodOutcome updated = doctor.update().resource(resolved).withAdditionalHeader("X-Dossier-Change-Reason", "tolerated amoxicillin").execute();
        assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");
        assertThat(doctor.history().onInstance("AllergyIntolerance/" + id).returnBundle(Bundle.class).execute().getEntry()).hasSize(2);

        assertThatThrownBy(() -> client("er.physician").update().resource(resolved.copy().setId(
                new org.hl7.fhir.r4.model.IdType("AllergyIntolerance", id, "2"))).withAdditionalHeader("X-Dossier-Change-Reason", "x").execute())
                .isInstanceOf(ForbiddenOperationException.class);
    }

    @Test
    void patientSearchNarrowsByGender() {
        registered("Genderova");
        IGenericClient desk = client("frontdesk");
        Bundle female = desk.search().forResource(Patient.class).where(Patient.FAMILY.matches().value("Genderova"))
                .and(Patient.GIVEN.matches().value("Rose")).and(Patient.GENDER.exactly().code("female")).returnBundle(Bundle.class).execute();
        assertThat(female.getEntry()).hasSize(1);
        Bundle male = desk.search().forResource(Patient.class).where(Patient.FAMILY.matches().value("Genderova"))
                .and(Patient.GIVEN.matches().value("Rose")).and(Patient.GENDER.exactly().code("male")).returnBundle(Bundle.class).execute();
        assertThat(male.getEntry()).isEmpty();
    }

    @Test
    void admissionsPrescriptionsAndAppointmentsAreCreatedOverFhir() {
        Fixtures f = fixtures();
        long patient = registered("Creationne");
        f.careFor(patient, "physician");

        org.hl7.fhir.r4.model.Encounter admission = new org.hl7.fhir.r4.model.Encounter();
        admission.setStatus(org.hl7.fhir.r4.model.Encounter.EncounterStatus.INPROGRESS);
        admission.setClass_(new org.hl7.fhir.r4.model.Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter"));
        admission.setSubject(new Reference("Patient/" + patient));
        admission.addLocation().setLocation(new Reference("Location/" + f.unit(1, "CARDIO")));
        admission.addParticipant().setIndividual(new Reference("Practitioner/" + f.staffId("physician")));
        admission.setPeriod(new org.hl7.fhir.r4.model.Period().setStart(java.util.Date.from(Instant.now().minus(1, ChronoUnit.HOURS))));
        admission.addReasonCode().setText("syncope");
        MethodOutcome admitted = client("frontdesk").create().resource(admission).execute();
        assertThat(admitted.getCreated()).isTrue();
        IGenericClient doctor = client("physician");
        String stay = admitted.getId().getIdPart();
        assertThat(doctor.read().resource(org.hl7.fhir.r4.model.Encounter.class).withId(stay).execute().getReasonCodeFirstRep().getText())
                .isEqualTo("syncope");
        assertThat(doctor.history().onInstance("Encounter/" + stay).returnBundle(Bundle.class).execute().getEntry()).hasSize(1);

        AllergyIntolerance allergy = new AllergyIntolerance();
        allergy.setPatient(new Reference("Patient/" + patient));
        allergy.getCode().setText("Amoxicilline").addCoding().setSystem("http://www.whocc.no/atc").setCode("J01CA04");
        allergy.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        doctor.create().resource(allergy).execute();

        org.hl7.fhir.r4.model.MedicationRequest order = new org.hl7.fhir.r4.model.MedicationRequest();
        order.setStatus(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestStatus.ACTIVE);
        order.setIntent(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestIntent.ORDER);
        order.setSubject(new Reference("Patient/" + patient));
        order.setEncounter(new Reference("Encounter/" + stay));
        var drug = new org.hl7.fhir.r4.model.CodeableConcept().setText("Amoxicilline 1 g");
        drug.addCoding().setSystem("http://www.whocc.no/atc").setCode("J01CA04");
        order.setMedication(drug);
        var dosage = order.addDosageInstruction();
        dosage.addDoseAndRate().setDose(new org.hl7.fhir.r4.model.Quantity().setValue(1).setUnit("g"));
        dosage.getRoute().setText("ORAL");
        dosage.getTiming().getRepeat().setFrequency(3).setPeriod(1).setPeriodUnit(org.hl7.fhir.r4.model.Timing.UnitsOfTime.D);
        order.getDispenseRequest().setExpectedSupplyDuration((org.hl7.fhir.r4.model.Duration) new org.hl7.fhir.r4.model.Duration()
                .setValue(7).setUnit("days").setSystem("http://unitsofmeasure.org").setCode("d"));
        var inWeeks = order.copy();
        inWeeks.getDispenseRequest().setExpectedSupplyDuration((org.hl7.fhir.r4.model.Duration) new org.hl7.fhir.r4.model.Duration()
                .setValue(1).setUnit("week").setSystem("http://unitsofmeasure.org").setCode("wk"));
        assertThatThrownBy(() -> doctor.create().resource(inWeeks).execute()).as("a duration that is not in days")
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class).hasMessageContaining("days");
        var incompleteTiming = order.copy();
        incompleteTiming.getDosageInstructionFirstRep().getTiming().getRepeat().setPeriodElement(null);
        assertThatThrownBy(() -> doctor.create().resource(incompleteTiming).execute()).as("a frequency without its period: a 4xx, not a 500")
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class).hasMessageContaining("frequency");
        assertThatThrownBy(() -> doctor.create().resource(order).execute()).as("prescribing against a recorded allergy")
                .isInstanceOf(ResourceVersionConflictException.class).hasMessageContaining("allergy");
        MethodOutcome prescribed = doctor.create().resource(order).withAdditionalHeader("X-Dossier-Allergy-Override",
                "tolerated it in 2024 under supervision").execute();
        var read = doctor.read().resource(org.hl7.fhir.r4.model.MedicationRequest.class).withId(prescribed.getId().getIdPart()).execute();
        assertThat(read.getDosageInstructionFirstRep().getText()).contains("1 g").contains("ORAL").contains("7 days");
        assertThatThrownBy(() -> client("nurse").create().resource(order).withAdditionalHeader("X-Dossier-Allergy-Override", "x").execute())
                .as("only a physician prescribes").isInstanceOf(ForbiddenOperationException.class);

        long practitioner = f.physician("CONSULT");
        as("frontdesk").post("/api/practitioners/" + practitioner + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"), "weekday", "MONDAY",
                "startTime", "09:00", "endTime", "10:00", "slotMinutes", 30));
        java.time.ZoneId paris = java.time.ZoneId.of("Europe/Paris");
        java.time.LocalDate monday = java.time.LocalDate.now(paris).with(java.time.temporal.TemporalAdjusters.next(java.time.DayOfWeek.MONDAY));
        org.hl7.fhir.r4.model.Appointment booking = new org.hl7.fhir.r4.model.Appointment();
        booking.setStatus(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.BOOKED);
        booking.setStart(java.util.Date.from(monday.atTime(9, 30).atZone(paris).toInstant()));
        booking.setEnd(java.util.Date.from(monday.atTime(10, 0).atZone(paris).toInstant()));
        booking.setDescription("follow-up after syncope");
        booking.addParticipant().setActor(new Reference("Patient/" + patient)).setStatus(org.hl7.fhir.r4.model.Appointment.ParticipationStatus.ACCEPTED);
        booking.addParticipant().setActor(new Reference("Practitioner/" + practitioner)).setStatus(org.hl7.fhir.r4.model.Appointment.ParticipationStatus.ACCEPTED);
        MethodOutcome booked = client("frontdesk").create().resource(booking).execute();
        assertThat(booked.getCreated()).isTrue();
        assertThat(client("frontdesk").history().onInstance("Appointment/" + booked.getId().getIdPart()).returnBundle(Bundle.class).execute()
                .getEntry()).hasSize(1);
        assertThatThrownBy(() -> client("frontdesk").create().resource(booking).execute()).as("the slot is taken")
                .isInstanceOf(ResourceVersionConflictException.class);
    }
}
