package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code Patient/{id}/$everything} with HAPI's generic client: one gateway decision, sections per role, paged, owner-only pages. */
class FhirEverythingTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    private static Bundle get(IGenericClient fhir, String url) {
        // An absolute URL: HAPI's client takes a relative one only as a type search.
        return fhir.search().byUrl(fhir.getServerBase() + "/" + url).returnBundle(Bundle.class).execute();
    }

    /** Every entry of every page (each page validated), following the next links. */
    private static List<Resource> all(IGenericClient fhir, String url) {
        List<Resource> found = new ArrayList<>();
        Bundle page = get(fhir, url);
        while (true) {
            FhirValidation.assertValid(page);
            assertThat(page.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
            page.getEntry().forEach(e -> found.add(e.getResource()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            page = fhir.loadPage().next(page).execute();
        }
    }

    private static Map<String, Integer> types(List<Resource> resources) {
        Map<String, Integer> types = new TreeMap<>();
        resources.forEach(r -> types.merge(r.fhirType(), 1, Integer::sum));
        return types;
    }

    private long chartOpenings(long patient, String username, String decision) {
        return jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_username = ? and decision = ?")
                .param(patient).param(username).param(decision).query(Long.class).single();
    }

    @Test
    void aClinicianWithoutARelationshipIsRefusedAndAudited() {
        long patient = fixtures().patient();
        long denied = chartOpenings(patient, "physician", "DENY");
        assertThatThrownBy(() -> get(client("physician"), "Patient/" + patient + "/$everything"))
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(chartOpenings(patient, "physician", "DENY")).as("the refusal is audited").isEqualTo(denied + 1);
        assertThat(chartOpenings(patient, "physician", "ALLOW")).isZero();
    }

    @Test
    void theCaringPhysicianGetsTheWholeRecordPagedUnderOneDecision() {
        Fixtures f = fixtures();
        long patient = f.patient();
        f.careFor(patient, "physician");
        IGenericClient doctor = client("physician");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                select 1, ?, 'HEART_RATE', '8867-4', 'Heart rate', 60 + g % 40, '/min', cast(? as timestamptz) - g * interval '1 day', 'FINAL', ?, 1, now()
                from generate_series(1, 45) g""").param(patient).param(java.sql.Timestamp.from(now)).param(f.staffId("physician")).update();
        AllergyIntolerance allergy = new AllergyIntolerance();
        allergy.setPatient(new Reference("Patient/" + patient));
        allergy.getCode().setText("Penicillin");
        allergy.addReaction().setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.MODERATE);
        doctor.create().resource(allergy).execute();

        long allowed = chartOpenings(patient, "physician", "ALLOW");
        List<Resource> everything = all(doctor, "Patient/" + patient + "/$everything?_count=10");
        assertThat(chartOpenings(patient, "physician", "ALLOW")).as("one decision for the whole record, every page included")
                .isEqualTo(allowed + 1);
        assertThat(jdbc.sql("select resource_type from audit_entry where patient_id = ? and actor_username = 'physician' order by seq desc limit 1")
                .param(patient).query(String.class).single()).as("audited as opening the chart").isEqualTo("Chart");
        assertThat(everything.get(0).fhirType()).isEqualTo("Patient");
        assertThat(everything.get(0).getIdElement().getIdPart()).isEqualTo(Long.toString(patient));
        assertThat(types(everything)).containsEntry("Observation", 45).containsEntry("AllergyIntolerance", 1).containsEntry("Patient", 1);
        assertThat(everything.stream().map(r -> r.fhirType() + "/" + r.getIdElement().getIdPart()).distinct()).hasSize(everything.size());

        Bundle recent = get(doctor, "Observation?patient=" + patient + "&date=ge" + now.minus(java.time.Duration.ofHours(252))
                + "&_include=Observation:subject");
        FhirValidation.assertValid(recent);
        assertThat(entries(recent, Bundle.SearchEntryMode.MATCH)).as("the date still narrows, the patient included").hasSize(10);
        assertThat(entries(recent, Bundle.SearchEntryMode.INCLUDE)).containsExactly("Patient/" + patient);
    }

    @Test
    void thePagesAreTheCallersAlone() {
        Fixtures f = fixtures();
        long patient = f.patient();
        f.careFor(patient, "physician");
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                select 1, ?, 'HEART_RATE', '8867-4', 'Heart rate', 70, '/min', now() - g * interval '1 hour', 'FINAL', ?, 1, now()
                from generate_series(1, 30) g""").param(patient).param(f.staffId("physician")).update();
        Bundle first = get(client("physician"), "Patient/" + patient + "/$everything");
        assertThat(first.getEntry()).hasSize(OwnedPages.PAGE_SIZE);
        assertThat(first.getLink(Bundle.LINK_NEXT)).isNotNull();
        assertThatThrownBy(() -> client("nurse").loadPage().next(first).execute()).as("someone else holding the link")
                .isInstanceOf(ResourceGoneException.class);
    }

    @Test
    void theFrontDeskGetsIdentityAndSchedulingOnly() {
        Fixtures f = fixtures();
        long patient = f.patient();
        f.careFor(patient, "physician");
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                values (1, ?, 'HEART_RATE', '8867-4', 'Heart rate', 70, '/min', now(), 'FINAL', ?, 1, now())""")
                .param(patient).param(f.staffId("physician")).update();
        List<Resource> everything = all(client("frontdesk"), "Patient/" + patient + "/$everything");
        assertThat(everything).isNotEmpty();
        assertThat(everything.get(0).fhirType()).isEqualTo("Patient");
        assertThat(types(everything).keySet()).isSubsetOf("Patient", "Encounter", "Appointment");
    }

    /**
     * The procedures and immunizations other systems sent and the documents filed here come with the rest, under the
     * same one decision and valid; the front desk, whose roles see no clinical record, gets none of them.
     */
    @Test
    void proceduresImmunizationsAndDocumentsComeUnderTheSameDecisionToWhoMaySeeThem() {
        String patientUrl = "urn:uuid:" + java.util.UUID.randomUUID();
        org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
        p.addName().setFamily("Everythingova").addGiven("Ida");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1950-05-06"));
        org.hl7.fhir.r4.model.Procedure procedure = new org.hl7.fhir.r4.model.Procedure();
        procedure.setStatus(org.hl7.fhir.r4.model.Procedure.ProcedureStatus.COMPLETED);
        procedure.getCode().setText("Appendectomy").addCoding().setSystem(FhirCodes.SNOMED).setCode("80146002").setDisplay("Appendectomy");
        procedure.setSubject(new Reference(patientUrl));
        procedure.setPerformed(new org.hl7.fhir.r4.model.DateTimeType("2019-04-02T10:00:00+02:00"));
        org.hl7.fhir.r4.model.Immunization shot = new org.hl7.fhir.r4.model.Immunization();
        shot.setStatus(org.hl7.fhir.r4.model.Immunization.ImmunizationStatus.COMPLETED);
        shot.getVaccineCode().setText("Influenza").addCoding().setSystem("http://hl7.org/fhir/sid/cvx").setCode("140").setDisplay("Influenza, seasonal");
        shot.setPatient(new Reference(patientUrl));
        shot.setOccurrence(new org.hl7.fhir.r4.model.DateTimeType("2023-10-12T09:00:00+02:00"));
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().setFullUrl(patientUrl).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        batch.addEntry().setResource(procedure).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Procedure");
        batch.addEntry().setResource(shot).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Immunization");
        Bundle response = client("admin").transaction().withBundle(batch).withAdditionalHeader("X-Dossier-Facility", "1").execute();
        assertThat(response.getEntry()).as(response.getEntry().toString())
                .allMatch(e -> e.getResponse().getStatus().startsWith("201"));
        long patient = Long.parseLong(response.getEntry().get(0).getResponse().getLocation().replaceAll("^Patient/(\\d+).*", "$1"));
        fixtures().careFor(patient, "physician");
        IGenericClient doctor = client("physician");
        org.hl7.fhir.r4.model.DocumentReference letter = new org.hl7.fhir.r4.model.DocumentReference();
        letter.setSubject(new Reference("Patient/" + patient));
        letter.getType().setText("Letter");
        letter.addContent().getAttachment().setContentType("application/pdf").setTitle("Discharge letter")
                .setData("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String document = doctor.create().resource(letter).execute().getId().getIdPart();

        String audited = "audit_entry where patient_id = " + patient + " and actor_username = 'physician'";
        long allowed = chartOpenings(patient, "physician", "ALLOW");
        long entries = count(audited);
        List<Resource> everything = all(doctor, "Patient/" + patient + "/$everything");
        assertThat(chartOpenings(patient, "physician", "ALLOW")).as("one decision for the whole record").isEqualTo(allowed + 1);
        assertThat(count(audited) - entries).as("no second door per section: one entry in all").isEqualTo(1);
        assertThat(types(everything)).containsEntry("Procedure", 1).containsEntry("Immunization", 1).containsEntry("DocumentReference", 1);
        org.hl7.fhir.r4.model.Procedure servedProcedure = (org.hl7.fhir.r4.model.Procedure) everything.stream()
                .filter(r -> r instanceof org.hl7.fhir.r4.model.Procedure).findFirst().orElseThrow();
        assertThat(servedProcedure.getCode().getCodingFirstRep().getCode()).isEqualTo("80146002");
        assertThat(servedProcedure.getPerformedDateTimeType().getValueAsString()).isEqualTo("2019-04-02T10:00:00+02:00");
        assertThat(servedProcedure.getMeta().getSource()).as("sent with no fullUrl nor id: the import named, no fragment")
                .startsWith("urn:dossier:import:").doesNotContain("#").doesNotContainAnyWhitespaces();
        assertThat(everything.stream().filter(r -> r instanceof org.hl7.fhir.r4.model.DocumentReference)
                .map(r -> r.getIdElement().getIdPart())).containsExactly(document);
        FhirValidation.assertValid(everything.stream().filter(r -> !(r instanceof org.hl7.fhir.r4.model.Patient)).toArray(Resource[]::new));

        List<Resource> desk = all(client("frontdesk"), "Patient/" + patient + "/$everything");
        assertThat(types(desk).keySet()).as("no section the role may not see, not even empty").isSubsetOf("Patient", "Encounter", "Appointment");
    }

    private static List<String> entries(Bundle b, Bundle.SearchEntryMode mode) {
        return b.getEntry().stream().filter(e -> e.getSearch().getMode() == mode)
                .map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()).toList();
    }

    private static String outcome(Bundle b) {
        return b.getEntry().stream().filter(e -> e.getResource() instanceof org.hl7.fhir.r4.model.OperationOutcome)
                .flatMap(e -> ((org.hl7.fhir.r4.model.OperationOutcome) e.getResource()).getIssue().stream())
                .map(i -> i.getDiagnostics()).reduce("", (a, b2) -> a + "\n" + b2);
    }

    @Test
    void includesAreServedInsideThePatientsCompartmentUnderOneDecision() {
        Fixtures f = fixtures();
        long patient = f.patient();
        f.careFor(patient, "physician");
        long stay = as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"),
                "attendingId", f.staffId("physician"), "admittedAt", Instant.now().minus(2, ChronoUnit.HOURS).toString(),
                "reason", "heart failure")).json().get("id").asLong();
        IGenericClient doctor = client("physician");
        for (boolean inStay : new boolean[] {true, false}) {
            org.hl7.fhir.r4.model.MedicationRequest order = new org.hl7.fhir.r4.model.MedicationRequest();
            order.setStatus(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestStatus.ACTIVE);
            order.setIntent(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestIntent.ORDER);
            order.setSubject(new Reference("Patient/" + patient));
            order.setMedication(new org.hl7.fhir.r4.model.CodeableConcept().setText(inStay ? "Furosemide" : "Paracetamol"));
            order.addDosageInstruction().setText("1 tablet").setPatientInstruction("twice a day").getRoute().setText("ORAL");
            if (inStay) {
                order.setEncounter(new Reference("Encounter/" + stay));
            }
            doctor.create().resource(order).execute();
        }
        AllergyIntolerance allergy = new AllergyIntolerance();
        allergy.setPatient(new Reference("Patient/" + patient));
        allergy.getCode().setText("Latex");
        allergy.addReaction().setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.MILD);
        doctor.create().resource(allergy).execute();

        long allowed = chartOpenings(patient, "physician", "ALLOW");
        Bundle orders = get(doctor, "MedicationRequest?patient=" + patient + "&_include=MedicationRequest:patient"
                + "&_include=MedicationRequest:encounter&_include=MedicationRequest:requester");
        FhirValidation.assertValid(orders);
        assertThat(chartOpenings(patient, "physician", "ALLOW")).as("one decision, includes within it").isEqualTo(allowed + 1);
        assertThat(entries(orders, Bundle.SearchEntryMode.MATCH)).hasSize(2).allMatch(e -> e.startsWith("MedicationRequest/"));
        assertThat(entries(orders, Bundle.SearchEntryMode.INCLUDE)).containsExactlyInAnyOrder("Patient/" + patient, "Encounter/" + stay);
        assertThat(outcome(orders)).as("outside the compartment: ignored and reported").contains("MedicationRequest:requester");

        Bundle star = get(doctor, "MedicationRequest?patient=" + patient + "&_include=*");
        FhirValidation.assertValid(star);
        assertThat(entries(star, Bundle.SearchEntryMode.INCLUDE)).containsExactlyInAnyOrder("Patient/" + patient, "Encounter/" + stay);

        Bundle stays = get(doctor, "Encounter?patient=" + patient + "&_revinclude=MedicationRequest:encounter&_revinclude=Condition:encounter");
        FhirValidation.assertValid(stays);
        assertThat(entries(stays, Bundle.SearchEntryMode.MATCH)).containsExactly("Encounter/" + stay);
        assertThat(entries(stays, Bundle.SearchEntryMode.INCLUDE)).hasSize(1).allMatch(e -> e.startsWith("MedicationRequest/"));
        assertThat(outcome(stays)).as("the record does not link diagnoses to stays").contains("Condition:encounter");

        Bundle allergies = get(doctor, "AllergyIntolerance?patient=" + patient + "&_include=*:patient");
        FhirValidation.assertValid(allergies);
        assertThat(entries(allergies, Bundle.SearchEntryMode.INCLUDE)).containsExactly("Patient/" + patient);
        assertThat(entries(allergies, Bundle.SearchEntryMode.MATCH)).hasSize(1);

        Bundle plain = get(doctor, "AllergyIntolerance?patient=" + patient);
        assertThat(plain.getEntry()).as("without includes, as before").hasSize(1);

        long other = f.patient();
        long denied = chartOpenings(other, "physician", "DENY");
        assertThatThrownBy(() -> get(doctor, "MedicationRequest?patient=" + other + "&_include=MedicationRequest:patient"))
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(chartOpenings(other, "physician", "DENY")).isEqualTo(denied + 1);
    }

    private static List<String> families(Bundle b) {
        return b.getEntry().stream().filter(e -> e.getResource() instanceof org.hl7.fhir.r4.model.Patient)
                .map(e -> ((org.hl7.fhir.r4.model.Patient) e.getResource()).getNameFirstRep().getFamily()).sorted().toList();
    }

    @Test
    void familyAndGivenNamesTakeExactAndContainsWithinTheSearchBounds() {
        org.dossier.support.Api desk = as("frontdesk");
        for (String[] p : new String[][] {{"Qwyexact", "Marie"}, {"Qwyexactly", "Marianne"}, {"Aqwyexactb", "Anne-Marie"}}) {
            org.dossier.support.Api.Response r = desk.post("/api/patients", org.dossier.support.PatientJson.reviewed(1,
                    org.dossier.support.PatientJson.provisional(p[0], p[1], "1961-03-04", "F")));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        IGenericClient fhir = client("frontdesk");
        String born = "&birthdate=1961-03-04";
        assertThat(families(get(fhir, "Patient?family=Qwyexact" + born))).containsExactly("Qwyexact", "Qwyexactly");
        Bundle exact = get(fhir, "Patient?family:exact=Qwyexact" + born);
        FhirValidation.assertValid(exact);
        assertThat(families(exact)).containsExactly("Qwyexact");
        assertThat(families(get(fhir, "Patient?family:exact=qwyexact" + born))).as("exact is case-sensitive").isEmpty();
        assertThat(families(get(fhir, "Patient?name:exact=Qwyexactly" + born))).containsExactly("Qwyexactly");
        Bundle contains = get(fhir, "Patient?family:contains=wyexac" + born);
        FhirValidation.assertValid(contains);
        assertThat(families(contains)).containsExactly("Aqwyexactb", "Qwyexact", "Qwyexactly");
        assertThat(families(get(fhir, "Patient?family:contains=wyexac&given:exact=Marie" + born))).containsExactly("Qwyexact");
        assertThat(families(get(fhir, "Patient?family:contains=wyexac&given:contains=anne" + born))).containsExactly("Aqwyexactb", "Qwyexactly");
        assertThatThrownBy(() -> get(fhir, "Patient?family:contains=wy" + born)).as("the bound of 3 letters holds")
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class);
        assertThatThrownBy(() -> get(fhir, "Patient?family:contains=wyexac")).as("and the birth date or given name")
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException.class);
    }

    @Test
    void lastUpdatedTakesTheDatePrefixesWhereRecordsCarryTheirVersionTime() {
        Fixtures f = fixtures();
        long patient = f.patient();
        f.careFor(patient, "physician");
        IGenericClient doctor = client("physician");
        List<String> ids = new ArrayList<>();
        for (String substance : new String[] {"Old latex", "New peanut"}) {
            AllergyIntolerance a = new AllergyIntolerance();
            a.setPatient(new Reference("Patient/" + patient));
            a.getCode().setText(substance);
            a.addReaction().setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.MILD);
            ids.add(doctor.create().resource(a).execute().getId().getIdPart());
        }
        jdbc.sql("update allergy set updated_at = timestamptz '2020-03-01T10:00:00Z' where id = ?").param(Long.parseLong(ids.get(0))).update();
        String search = "AllergyIntolerance?patient=" + patient + "&_lastUpdated=";
        Bundle recent = get(doctor, search + "ge2024-01-01");
        FhirValidation.assertValid(recent);
        assertThat(entries(recent)).containsExactly(ids.get(1));
        assertThat(recent.getLink(Bundle.LINK_SELF).getUrl()).as("applied, so shown").contains("_lastUpdated");
        assertThat(entries(get(doctor, search + "2020"))).containsExactly(ids.get(0));
        assertThat(entries(get(doctor, search + "lt2020-03-01T10:00:01Z"))).containsExactly(ids.get(0));
        assertThat(entries(get(doctor, search + "gt2020-03-01&_lastUpdated=le2021"))).isEmpty();
        assertThat(entries(get(doctor, search + "ne2020-03-01"))).containsExactly(ids.get(1));

        org.hl7.fhir.r4.model.Condition c = new org.hl7.fhir.r4.model.Condition();
        c.setSubject(new Reference("Patient/" + patient));
        c.getCode().addCoding().setSystem(FhirCodes.ICD10).setCode("I10").setDisplay("Hypertension");
        doctor.create().resource(c).execute();
        assertThat(get(doctor, "Condition?patient=" + patient + "&_lastUpdated=ge2024-01-01").getEntry()).hasSize(1);
        assertThat(get(doctor, "Condition?patient=" + patient + "&_lastUpdated=lt2024-01-01").getEntry()).isEmpty();
    }

    private static List<String> entries(Bundle b) {
        return b.getEntry().stream().filter(e -> !(e.getResource() instanceof org.hl7.fhir.r4.model.OperationOutcome))
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
