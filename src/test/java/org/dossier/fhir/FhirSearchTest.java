package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.dossier.platform.Imported;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The searches clinical systems make, over HTTP with HAPI's generic client, each one gateway decision about one patient. */
class FhirSearchTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    private static Bundle get(IGenericClient fhir, String url) {
        return fhir.search().byUrl(url).returnBundle(Bundle.class).execute();
    }

    /** Every entry of every page, following the next links. */
    private static List<Observation> all(IGenericClient fhir, String url) {
        List<Observation> found = new ArrayList<>();
        Bundle page = get(fhir, url);
        while (true) {
            page.getEntry().forEach(e -> found.add((Observation) e.getResource()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            page = fhir.loadPage().next(page).execute();
        }
    }

    private static List<String> givens(Bundle b) {
        return b.getEntry().stream().map(e -> ((Patient) e.getResource()).getNameFirstRep().getGivenAsSingleString()).toList();
    }

    @Test
    void birthDatePrefixesAreHonoured() {
        Api desk = as("frontdesk");
        for (String[] p : new String[][]{{"Ada", "1950-06-15"}, {"Bob", "1980-02-01"}}) {
            Api.Response r = desk.post("/api/patients", PatientJson.reviewed(1, PatientJson.provisional("Datesearch", p[0], p[1], "F")));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        IGenericClient fhir = client("frontdesk");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&given=Ada&birthdate=ge1900-01-01"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&given=A&birthdate=lt1950-06-15"))).isEmpty();
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=1950"))).as("a year").containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=1950-06"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=eq1950-06-15"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=ge1950-01-01&birthdate=le1950-12-31"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=gt1950-06-15&birthdate=lt1951-01-01"))).isEmpty();
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=sa1950-06-14&birthdate=le1950-12-31"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&birthdate=eb1950-06-15&birthdate=ge1950-01-01"))).isEmpty();
        assertThat(givens(get(fhir, "Patient?family=Datesearch&given=B&birthdate=ne1980-02-01"))).isEmpty();
        assertThat(givens(get(fhir, "Patient?family=Datesearch&given=A&birthdate=ne1980-02-01"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&given=Ada&birthdate=ap1951-01-01"))).containsExactly("Ada");
        assertThat(givens(get(fhir, "Patient?family=Datesearch&given=Bob&birthdate=ap1950-06-15"))).isEmpty();
        assertThatThrownBy(() -> get(fhir, "Patient?family=Datesearch&birthdate=ge1900-01-01"))
                .as("an open range is no birth date: the bound of a name search still needs one, or a given name")
                .isInstanceOf(UnprocessableEntityException.class).hasMessageContaining("given name");
        assertThatThrownBy(() -> get(fhir, "Patient?family=Datesearch&birthdate=1950,1980")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void everyObservationOfAPatientIsReachableAndSearchableByDateCategoryAndCode() {
        Fixtures f = fixtures();
        long patient = f.patient();
        long staff = f.staffId("physician");
        IGenericClient doctor = client("physician");
        assertThatThrownBy(() -> get(doctor, "Observation?patient=" + patient)).as("no relationship yet")
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_username = 'physician' and decision <> 'ALLOW'")
                .param(patient).query(Long.class).single()).as("the refusal is audited").isGreaterThanOrEqualTo(1);
        f.careFor(patient, "physician");

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                select 1, ?, 'HEART_RATE', '8867-4', 'Heart rate', 60 + g % 40, '/min', cast(? as timestamptz) - g * interval '1 day', 'FINAL', ?, 1, now()
                from generate_series(1, 1100) g""").param(patient).param(java.sql.Timestamp.from(now)).param(staff).update();
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                select 1, ?, 'LAB', '2823-3', 'Potassium', 4.1, 'mmol/L', cast(? as timestamptz) - g * interval '30 days' - interval '1 hour', 'FINAL', ?, 1, now()
                from generate_series(1, 30) g""").param(patient).param(java.sql.Timestamp.from(now)).param(staff).update();
        String imported = new Imported(List.of(new Imported.Code("http://loinc.org", "8310-5", "Body temperature"),
                new Imported.Code("http://snomed.info/sct", "386725007", "Body temperature")),
                List.of(new Imported.Code("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")),
                "final", null, null, null, null, null, null, null, null).toJson();
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at, source)
                select 1, ?, 'TEMPERATURE', '8310-5', 'Body temperature', 37.2, 'Cel', cast('2010-05-0' || g || 'T08:00:00Z' as timestamptz), 'FINAL', ?, 1, now(),
                cast(? as json) from generate_series(1, 7) g""").param(patient).param(staff).param(imported).update();
        long before = jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_username = 'physician'").param(patient)
                .query(Long.class).single();

        Bundle first = get(doctor, "Observation?patient=Patient/" + patient);
        assertThat(first.getEntry()).hasSize(20);
        List<Observation> everything = all(doctor, "Observation?patient=Patient/" + patient);
        Set<String> ids = new HashSet<>();
        everything.forEach(o -> ids.add(o.getIdElement().getIdPart()));
        assertThat(ids).as("1,137 observations, all reachable through the pages").hasSize(1137);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_username = 'physician'").param(patient)
                .query(Long.class).single() - before).as("one gateway decision per search, pages included").isEqualTo(2);

        String base = "Observation?patient=" + patient;
        LocalDate today = LocalDate.ofInstant(now, FhirSearch.ZONE);
        assertThat(all(doctor, base + "&date=ge" + today.minusDays(10) + "&date=lt" + today.minusDays(5)))
                .as("5 whole days of heart rates").hasSize(5).allMatch(o -> o.getCode().getCodingFirstRep().getCode().equals("8867-4"));
        assertThat(all(doctor, base + "&date=2010")).hasSize(7);
        assertThat(all(doctor, base + "&date=2010-05-03")).hasSize(1);
        assertThat(all(doctor, base + "&date=eb2011-01-01")).hasSize(7);
        assertThat(all(doctor, base + "&category=laboratory")).hasSize(30);
        assertThat(all(doctor, base + "&category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs")).hasSize(1107);
        assertThat(all(doctor, base + "&code=http://loinc.org|2823-3")).hasSize(30);
        assertThat(all(doctor, base + "&code=http%3A%2F%2Fsnomed.info%2Fsct%7C386725007")).as("an imported coding of another system").hasSize(7);
        assertThat(all(doctor, base + "&code=8867-4,8310-5")).hasSize(1107);
        assertThat(all(doctor, base + "&code:text=potass")).hasSize(30);
        assertThat(all(doctor, base + "&code=http://snomed.info/sct|8867-4")).isEmpty();

        List<Observation> newest = get(doctor, base + "&_sort=-date").getEntry().stream().map(e -> (Observation) e.getResource()).toList();
        List<Observation> oldest = get(doctor, base + "&_sort=date").getEntry().stream().map(e -> (Observation) e.getResource()).toList();
        assertThat(newest.get(0).getEffectiveDateTimeType().getValue()).isAfter(newest.get(1).getEffectiveDateTimeType().getValue());
        assertThat(oldest.get(0).getEffectiveDateTimeType().getValueAsString()).startsWith("2010-05-01");
        assertThatThrownBy(() -> get(doctor, base + "&_sort=value-quantity")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> get(doctor, base + "&date=ge2024-13-45")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void ordersProblemsStaysAndAllergiesAreSearchedByStatusClassCategoryAndDate() {
        Fixtures f = fixtures();
        long patient = f.patient();
        f.careFor(patient, "physician");
        Api doc = as("physician");
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"), "attendingId", f.staffId("physician"),
                "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "dyspnoea"));
        doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Amoxicilline", "substanceCode", "J01CA04",
                "reaction", "urticaria", "severity", "SEVERE"));
        doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I50.0", "label", "Insuffisance cardiaque", "onsetDate", "2020-03-01"));
        doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Furosémide 40 mg", "atcCode", "C03CA01", "dose", "40 mg",
                "route", "ORAL", "frequency", "once a day", "durationDays", 7));
        IGenericClient fhir = client("physician");
        String p = "?patient=Patient/" + patient;
        String yesterday = LocalDate.now(FhirSearch.ZONE).minusDays(2).toString();

        assertThat(get(fhir, "MedicationRequest" + p + "&status=active").getEntry()).hasSize(1);
        assertThat(get(fhir, "MedicationRequest" + p + "&status=stopped,completed").getEntry()).isEmpty();
        assertThat(get(fhir, "MedicationRequest" + p + "&intent=order").getEntry()).hasSize(1);
        assertThat(get(fhir, "MedicationRequest" + p + "&intent=plan").getEntry()).isEmpty();
        assertThat(get(fhir, "MedicationRequest" + p + "&authoredon=gt" + yesterday).getEntry()).hasSize(1);
        assertThat(get(fhir, "MedicationRequest" + p + "&authoredon=lt2000").getEntry()).isEmpty();

        assertThat(get(fhir, "Condition" + p + "&clinical-status=active").getEntry()).hasSize(1);
        assertThat(get(fhir, "Condition" + p + "&clinical-status=resolved").getEntry()).isEmpty();
        assertThat(get(fhir, "Condition" + p + "&category=problem-list-item").getEntry()).hasSize(1);
        assertThat(get(fhir, "Condition" + p + "&category=encounter-diagnosis").getEntry()).isEmpty();
        assertThat(get(fhir, "Condition" + p + "&onset-date=2020-03").getEntry()).hasSize(1);
        assertThat(get(fhir, "Condition" + p + "&onset-date=lt2020-03-01").getEntry()).isEmpty();

        assertThat(get(fhir, "Encounter" + p + "&status=in-progress&class=IMP").getEntry()).hasSize(1);
        assertThat(get(fhir, "Encounter" + p + "&status=finished").getEntry()).isEmpty();
        assertThat(get(fhir, "Encounter" + p + "&class=http://terminology.hl7.org/CodeSystem/v3-ActCode|EMER").getEntry()).isEmpty();
        assertThat(get(fhir, "Encounter" + p + "&date=ge" + LocalDate.now(FhirSearch.ZONE).plusDays(30)).getEntry())
                .as("a stay still going on reaches into the future").hasSize(1);
        assertThat(get(fhir, "Encounter" + p + "&date=eb" + yesterday).getEntry()).isEmpty();

        assertThat(get(fhir, "AllergyIntolerance" + p + "&clinical-status=active").getEntry()).hasSize(1);
        assertThat(get(fhir, "AllergyIntolerance" + p + "&clinical-status=resolved,inactive").getEntry()).isEmpty();
    }

    @Test
    void theCapabilityStatementAdvertisesTheseParameters() {
        CapabilityStatement cs = client("physician").capabilities().ofType(CapabilityStatement.class).execute();
        Map<String, List<String>> params = new java.util.HashMap<>();
        cs.getRestFirstRep().getResource().forEach(r -> params.put(r.getType(), r.getSearchParam().stream().map(s -> s.getName()).toList()));
        assertThat(params.get("Observation")).contains("patient", "date", "category", "code");
        assertThat(params.get("MedicationRequest")).contains("patient", "status", "intent", "authoredon");
        assertThat(params.get("Condition")).contains("patient", "clinical-status", "category", "onset-date");
        assertThat(params.get("Encounter")).contains("patient", "date", "status", "class");
        assertThat(params.get("AllergyIntolerance")).contains("patient", "clinical-status");
        assertThat(params.get("Patient")).contains("birthdate", "family", "given", "identifier");
    }

    /** Every entry of every page of a search, whatever its type. */
    private static List<org.hl7.fhir.r4.model.Resource> everyPage(IGenericClient fhir, String url) {
        List<org.hl7.fhir.r4.model.Resource> found = new ArrayList<>();
        Bundle page = get(fhir, url);
        while (true) {
            page.getEntry().forEach(e -> found.add(e.getResource()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            page = fhir.loadPage().next(page).execute();
        }
    }

    /**
     * A long history is answered whole: a patient with 700 prescriptions (most stopped) and 300 past encounters finds
     * every one by paging, where lists used to stop silently at 500 and 200 (a stopped order missing is a clinical
     * error). Above the bound the answer is a refusal that says so, never a page taken for complete.
     */
    @Test
    void aLongHistoryIsAnsweredWholeAndABoundIsSaidNeverSilent() {
        Fixtures f = fixtures();
        long patient = f.patient();
        long staff = f.staffId("physician");
        f.careFor(patient, "physician");
        jdbc.sql("""
                insert into medication_order (facility_id, patient_id, drug, dose, route, frequency, start_date, status, prescriber_id,
                    version, created_at, updated_at)
                select 1, ?, 'Drug ' || g, '1 tablet', 'oral', 'daily', date '2024-01-01' - g, case when g % 7 = 0 then 'ACTIVE' else 'STOPPED' end,
                    ?, 1, now(), now()
                from generate_series(1, 700) g""").param(patient).param(staff).update();
        jdbc.sql("""
                insert into encounter_history (facility_id, patient_id, class, type, start_at, source, recorded_by, created_at)
                select 1, ?, 'AMB', 'Check-up', timestamptz '2024-01-01 09:00Z' - g * interval '3 days', 'test', ?, now()
                from generate_series(1, 300) g""").param(patient).param(staff).update();
        IGenericClient doctor = client("physician");
        List<org.hl7.fhir.r4.model.Resource> orders = everyPage(doctor, "MedicationRequest?patient=" + patient + "&_count=200");
        assertThat(orders).hasSize(700);
        assertThat(orders.stream().map(r -> r.getIdElement().getIdPart()).distinct()).hasSize(700);
        assertThat(everyPage(doctor, "MedicationRequest?patient=" + patient + "&status=stopped&_count=200")).hasSize(600);
        assertThat(everyPage(doctor, "Encounter?patient=" + patient + "&_count=200")).hasSize(300);

        jdbc.sql("""
                insert into procedure_record (facility_id, patient_id, code, label, status, performed_start, recorded_by, version, created_at, updated_at)
                select 1, ?, '80146002', 'Procedure ' || g, 'completed', timestamptz '2024-01-01 09:00Z' - g * interval '1 hour', ?, 1, now(), now()
                from generate_series(1, 5001) g""").param(patient).param(staff).update();
        assertThatThrownBy(() -> get(doctor, "Procedure?patient=" + patient)).isInstanceOf(UnprocessableEntityException.class)
                .hasMessageContaining("more than 5000 procedures");
    }
}
