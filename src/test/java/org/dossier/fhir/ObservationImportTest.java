package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.gclient.ReferenceClientParam;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.springframework.web.util.HtmlUtils;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the shared Synthea set does not exercise of observations (ADR 0027): a coded finding with several codings, a
 * text, a yes/no, an integer, a value absent with its reason (even for a vital sign), a survey's score with its coded,
 * text, absent and numeric answers over a period, a result given with a comparator, several categories and a category
 * of two codings. Each is kept, read back exactly as sent and valid; searches by category (any of them), code, code:text
 * and date find them; the REST API and the chart show them; a clinician with no relationship gets none of it, audited.
 */
class ObservationImportTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final String CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    private static final String PATIENT = "urn:uuid:6f1c1e0e-0000-4000-8000-0000000000a7";

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    private static Observation observation(String loinc, String text, String when, String... categories) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        for (String c : categories) {
            o.addCategory().addCoding(new Coding(CATEGORY, c, null));
        }
        o.getCode().setText(text).addCoding(new Coding(FhirCodes.LOINC, loinc, text));
        o.setSubject(new Reference(PATIENT));
        o.setEffective(new DateTimeType(when));
        return o;
    }

    private static CodeableConcept absent(String code) {
        return new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", code, code));
    }

    @Test
    void everyKindOfObservationIsKeptAsSentFoundAndShownToWhoeverCaresForThePatientOnly() {
        List<Observation> sent = new ArrayList<>();
        Observation smoker = observation("72166-2", "Tobacco smoking status", "2024-02-01T09:00:00+01:00", "social-history");
        smoker.setValue(new CodeableConcept().setText("Ex-smoker")
                .addCoding(new Coding(FhirCodes.SNOMED, "8517006", "Ex-smoker (finding)"))
                .addCoding(new Coding("http://loinc.org", "LA15920-4", "Former smoker")));
        sent.add(smoker);
        Observation urine = observation("5767-9", "Appearance of Urine", "2024-02-02T10:00:00+01:00", "laboratory");
        urine.setValue(new StringType("slightly cloudy"));
        sent.add(urine);
        Observation housing = observation("71802-3", "Housing status", "2024-02-03T11:00:00+01:00", "survey", "social-history");
        housing.setValue(new BooleanType(true));
        sent.add(housing);
        Observation falls = observation("52552-7", "Falls in the past year", "2024-02-04T12:00:00+01:00");
        falls.addCategory(new CodeableConcept().setText("Survey (fall risk)").addCoding(new Coding(CATEGORY, "survey", "Survey"))
                .addCoding(new Coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "functional-status", null)));
        falls.setValue(new IntegerType(3));
        sent.add(falls);
        Observation pulse = observation("8867-4", "Heart rate", "2024-02-05T13:00:00+01:00", "vital-signs");
        pulse.setDataAbsentReason(absent("not-performed"));
        sent.add(pulse);
        Observation phq = observation("55757-9", "Patient Health Questionnaire 2 item (PHQ-2)", "2024-02-06T14:00:00+01:00", "survey");
        phq.setEffective(new Period().setStartElement(new DateTimeType("2024-02-06T14:00:00+01:00"))
                .setEndElement(new DateTimeType("2024-02-06T14:10:00+01:00")));
        phq.setValue(new Quantity().setValue(new BigDecimal("1")).setUnit("{score}").setSystem(FhirCodes.UCUM).setCode("{score}"));
        phq.addComponent().setCode(new CodeableConcept().setText("Little interest or pleasure in doing things")
                        .addCoding(new Coding(FhirCodes.LOINC, "44250-9", "Little interest or pleasure in doing things")))
                .setValue(new CodeableConcept().setText("Several days").addCoding(new Coding(FhirCodes.LOINC, "LA6569-3", "Several days")));
        phq.addComponent().setCode(new CodeableConcept().addCoding(new Coding(FhirCodes.LOINC, "44255-8", "Feeling down, depressed, or hopeless")))
                .setDataAbsentReason(absent("asked-declined"));
        phq.addComponent().setCode(new CodeableConcept().setText("Comment").addCoding(new Coding(FhirCodes.LOINC, "48767-8", "Annotation comment")))
                .setValue(new StringType("answered in the waiting room"));
        phq.addComponent().setCode(new CodeableConcept().addCoding(new Coding(FhirCodes.LOINC, "55758-7", "PHQ-2 total score")))
                .setValue(new Quantity().setValue(new BigDecimal("1")).setUnit("{score}").setSystem(FhirCodes.UCUM).setCode("{score}"));
        sent.add(phq);
        Observation crp = observation("1988-5", "C reactive protein", "2024-02-07T15:00:00+01:00", "laboratory");
        crp.setValue(new Quantity().setValue(new BigDecimal("0.5")).setComparator(Quantity.QuantityComparator.LESS_THAN)
                .setUnit("mg/dL").setSystem(FhirCodes.UCUM).setCode("mg/dL"));
        sent.add(crp);
        Observation creatinine = observation("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "2024-01-20T08:00:00+01:00", "laboratory");
        creatinine.setValue(new Quantity().setValue(new BigDecimal("1.4306")).setUnit("mg/dL").setSystem(FhirCodes.UCUM).setCode("mg/dL"));
        sent.add(creatinine);
        Observation ranged = observation("2345-7", "Glucose", "2024-02-08T16:00:00+01:00", "laboratory");
        ranged.setValue(new Range().setLow(new Quantity().setValue(4)).setHigh(new Quantity().setValue(6)));

        Patient p = new Patient();
        p.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily("Questionnairova").addGiven("Olga");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1958-11-30"));
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().setFullUrl(PATIENT).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        sent.forEach(o -> batch.addEntry().setResource(o).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation"));
        batch.addEntry().setResource(ranged).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");

        Bundle response = client("admin").transaction().withBundle(batch).withAdditionalHeader("X-Dossier-Facility", "1").execute();
        List<Bundle.BundleEntryResponseComponent> answers = response.getEntry().stream().map(Bundle.BundleEntryComponent::getResponse).toList();
        assertThat(answers.subList(0, sent.size() + 1)).as(answers.toString()).allMatch(a -> a.getStatus().startsWith("201"));
        var range = answers.get(sent.size() + 1);
        assertThat(range.getStatus()).as("a value type Dossier does not hold is reported, not altered").startsWith("422");
        assertThat(((OperationOutcome) range.getOutcome()).getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
        long patient = Long.parseLong(answers.get(0).getLocation().replaceAll("\\D+", ""));

        // No relationship: nothing of it, each refusal audited.
        long denied = count("audit_entry where actor_username = 'er.physician' and patient_id = " + patient + " and decision = 'DENY'");
        for (String path : List.of("/fhir/" + answers.get(1).getLocation(), "/fhir/Observation?patient=Patient/" + patient + "&category=social-history",
                "/api/patients/" + patient + "/observations?kind=LAB")) {
            Api.Response refused = as("er.physician").get(path);
            assertThat(refused.status()).as(path + " " + refused).isEqualTo(403);
            assertThat(refused.body()).doesNotContain("smoker").doesNotContain("cloudy");
        }
        assertThat(count("audit_entry where actor_username = 'er.physician' and patient_id = " + patient + " and decision = 'DENY'"))
                .isEqualTo(denied + 3);

        fixtures().careFor(patient, "physician");
        IGenericClient fhir = client("physician");
        List<Observation> served = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            Observation read = fhir.read().resource(Observation.class).withUrl(answers.get(i + 1).getLocation()).execute();
            served.add(read);
            differences.addAll(RoundTrip.compare(sent.get(i), read));
        }
        assertThat(differences).as("read back as sent").isEmpty();
        assertThat(served.get(1).getValueStringType().getValue()).isEqualTo("slightly cloudy");
        assertThat(served.get(4).hasValue()).isFalse();
        assertThat(served.get(4).getDataAbsentReason().getCodingFirstRep().getCode()).isEqualTo("not-performed");
        assertThat(served.get(5).getEffectivePeriod().getEndElement().getValueAsString()).isEqualTo("2024-02-06T14:10:00+01:00");
        assertThat(served.get(6).getValueQuantity().getComparator()).isEqualTo(Quantity.QuantityComparator.LESS_THAN);
        assertThat(served.get(7).getValueQuantity().getValue()).as("every decimal sent").isEqualByComparingTo("1.4306");
        FhirValidation.assertValid(served.toArray(new Observation[0]));
        assertThat(count("audit_entry where actor_username = 'physician' and patient_id = " + patient
                + " and resource_type = 'Observation' and decision = 'ALLOW'")).isGreaterThanOrEqualTo(sent.size());

        // Searches: every category the source gave, any code, the code's text, dates, newest first.
        assertThat(ids(search(fhir, patient, "category", "social-history"))).containsExactlyInAnyOrder(id(served.get(0)), id(served.get(2)));
        assertThat(ids(search(fhir, patient, "category", "survey"))).containsExactlyInAnyOrder(id(served.get(2)), id(served.get(3)), id(served.get(5)));
        assertThat(ids(search(fhir, patient, "category", "http://hl7.org/fhir/us/core/CodeSystem/us-core-category|functional-status")))
                .containsExactly(id(served.get(3)));
        assertThat(ids(search(fhir, patient, "code", "http://loinc.org|72166-2"))).containsExactly(id(served.get(0)));
        assertThat(ids(search(fhir, patient, "code", FhirCodes.SNOMED + "|8517006"))).as("a value's code is not the observation's").isEmpty();
        Api.Response byText = as("physician").get("/fhir/Observation?patient=Patient/" + patient + "&code:text=Patient%20Health%20Questionnaire");
        assertThat(byText.status()).as(byText.toString()).isEqualTo(200);
        assertThat(FhirValidation.assertValidJson(Bundle.class, byText.body()).getEntry()).hasSize(1);
        Api.Response dated = as("physician").get("/fhir/Observation?patient=Patient/" + patient + "&date=ge2024-02-05&_sort=-date");
        assertThat(dated.status()).as(dated.toString()).isEqualTo(200);
        Bundle newest = FhirValidation.assertValidJson(Bundle.class, dated.body());
        assertThat(newest.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList())
                .containsExactly(id(served.get(6)), id(served.get(5)), id(served.get(4)));

        // REST: the same records, their result as JSON, never a 500 for a value that is not a number.
        Api.Response rest = as("physician").get("/api/patients/" + patient + "/observations?kind=LAB&from=2024-01-01T00:00:00Z");
        assertThat(rest.status()).as(rest.toString()).isEqualTo(200);
        assertThat(rest.json().size()).isEqualTo(sent.size());
        var smokerJson = java.util.stream.StreamSupport.stream(rest.json().spliterator(), false)
                .filter(n -> n.get("code").asString().equals("72166-2")).findFirst().orElseThrow();
        assertThat(smokerJson.get("value").isNull()).isTrue();
        assertThat(smokerJson.get("result").get("value").get("concept").get("text").asString()).isEqualTo("Ex-smoker");
        var creatinineJson = java.util.stream.StreamSupport.stream(rest.json().spliterator(), false)
                .filter(n -> n.get("code").asString().equals("2160-0")).findFirst().orElseThrow();
        assertThat(creatinineJson.get("value").asString()).as("the number the column holds, as before").isEqualTo("1.431");
        assertThat(creatinineJson.get("unit").asString()).isEqualTo("mg/dL");
        Api.Response history = as("physician").get("/api/observations/" + id(served.get(5)) + "/history");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        assertThat(history.body()).contains("asked-declined");
        assertThat(as("physician").get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);

        // The chart: the results card words each value in the reader's language; the vital signs' trend is unchanged.
        BrowserSession session = BrowserSession.signedIn(port, "physician");
        Api.Response tab = session.page("/patients/" + patient + "?tab=observations");
        assertThat(tab.status()).isEqualTo(200);
        assertThat(tab.body()).as("the tab is named for all it shows").contains(">Constantes et résultats</a>").doesNotContain(">Constantes</a>");
        assertThat(tab.body()).contains("id=\"observation-results\"", "Ex-smoker", "slightly cloudy", "Oui", "Non renseigné (not-performed)",
                "&lt; 0,5 mg/dL", HtmlUtils.htmlEscape("Little interest or pleasure in doing things") + ": Several days",
                "Feeling down, depressed, or hopeless: Non renseigné (asked-declined)", "PHQ-2 total score: 1 score");
        assertThat(session.page("/patients/" + patient + "?tab=observations&kind=LAB").status()).as("no trend of what has no number").isEqualTo(200);
        Api.Response summary = session.page("/patients/" + patient);
        assertThat(summary.status()).isEqualTo(200);
        assertThat(summary.body()).contains("Tobacco smoking status", "Ex-smoker");
    }

    private static List<Observation> search(IGenericClient fhir, long patient, String param, String token) {
        String system = token.contains("|") ? token.substring(0, token.indexOf('|')) : null;
        String code = token.contains("|") ? token.substring(token.indexOf('|') + 1) : token;
        Bundle b = fhir.search().forResource(Observation.class).where(new ReferenceClientParam("patient").hasId("Patient/" + patient))
                .and(system == null ? new TokenClientParam(param).exactly().code(code) : new TokenClientParam(param).exactly().systemAndCode(system, code))
                .returnBundle(Bundle.class).execute();
        return b.getEntry().stream().map(e -> (Observation) e.getResource()).toList();
    }

    private static List<String> ids(List<Observation> found) {
        return found.stream().map(ObservationImportTest::id).toList();
    }

    private static String id(Observation o) {
        return o.getIdElement().getIdPart();
    }
}
