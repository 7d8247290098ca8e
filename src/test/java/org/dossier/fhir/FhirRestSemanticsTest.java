package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The REST semantics of the FHIR R4 spec (http.html) around the interactions: conditional requests and their 412s,
 * 405 for what is not supported, history Bundles, headers of a read, Prefer, {@code _summary=text}, unknown search
 * parameters, and errors that are OperationOutcomes whatever fails. Every answer checked here passes HAPI's validator.
 */
class FhirRestSemanticsTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    /** Any method, any headers, the body as FHIR JSON. */
    private HttpResponse<String> call(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/fhir+json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static OperationOutcome outcome(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(r.body()).startsWith("application/fhir+json");
        return FhirValidation.assertValidJson(OperationOutcome.class, r.body());
    }

    private long allergyOf(long patient, String substance) {
        AllergyIntolerance a = new AllergyIntolerance();
        a.setPatient(new Reference("Patient/" + patient));
        a.setCode(new CodeableConcept().setText(substance));
        a.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        return client("physician").create().resource(a).execute().getId().getIdPartAsLong();
    }

    private static String json(org.hl7.fhir.r4.model.Resource r) {
        return FHIR.newJsonParser().encodeResourceToString(r);
    }

    @Test
    void aStaleIfMatchIs412AndPreferOperationOutcomeSaysWhatWasDone() {
        long patient = fixtures().patientInCare();
        String token = as("physician").token();
        AllergyIntolerance a = new AllergyIntolerance();
        a.setPatient(new Reference("Patient/" + patient));
        a.setCode(new CodeableConcept().setText("Latex"));
        a.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.LOW);

        HttpResponse<String> created = call("POST", "/fhir/AllergyIntolerance", token, json(a), "Prefer", "return=OperationOutcome");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(outcome(created).getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.INFORMATION);
        String location = created.headers().firstValue("Location").orElseThrow();
        String id = location.replaceAll(".*/AllergyIntolerance/(\\d+).*", "$1");

        a.setId(id);
        a.getCode().setText("Latex (natural rubber)");
        HttpResponse<String> updated = call("PUT", "/fhir/AllergyIntolerance/" + id, token, json(a), "If-Match", "W/\"1\"",
                FhirIds.CHANGE_REASON, "more precise");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(updated.headers().firstValue("ETag")).contains("W/\"2\"");

        HttpResponse<String> stale = call("PUT", "/fhir/AllergyIntolerance/" + id, token, json(a), "If-Match", "W/\"1\"",
                FhirIds.CHANGE_REASON, "from an old copy");
        assertThat(stale.statusCode()).as("a stale If-Match: 412, not 409").isEqualTo(412);
        assertThat(outcome(stale).getIssueFirstRep().getDiagnostics()).contains("changed since you read it");
        assertThat(count("clinical_version where entity_type = 'allergy' and entity_id = " + id)).isEqualTo(2);
    }

    @Test
    void conditionalCreateAnswersTheOnePatientItMatchesRefusesAmbiguityAndCreatesOtherwise() {
        IGenericClient desk = client("frontdesk");
        Patient p = new Patient();
        p.addName().setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).setFamily("Condition").addGiven("Céleste");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1977-05-04"));
        MethodOutcome first = desk.create().resource(p).conditionalByUrl("Patient?family=Condition&birthdate=1977-05-04").execute();
        assertThat(first.getResponseStatusCode()).as("nobody matched: created").isEqualTo(201);
        long id = first.getId().getIdPartAsLong();

        MethodOutcome again = desk.create().resource(p.copy()).conditionalByUrl("Patient?family=Condition&birthdate=1977-05-04").execute();
        assertThat(again.getResponseStatusCode()).as("one match: 200, nothing created").isEqualTo(200);
        assertThat(again.getId().getIdPartAsLong()).isEqualTo(id);
        assertThat(patientsWhere(i -> "CONDITION".equalsIgnoreCase(i.birthFamilyName()))).hasSize(1);

        Patient read = desk.read().resource(Patient.class).withId(Long.toString(id)).execute();
        var ipp = read.getIdentifier().stream().filter(i -> i.getSystem().startsWith(FhirCodes.IPP_SYSTEM)).findFirst().orElseThrow();
        MethodOutcome byIpp = desk.create().resource(p.copy()).conditionalByUrl("Patient?identifier=" + ipp.getSystem() + "|" + ipp.getValue())
                .execute();
        assertThat(byIpp.getId().getIdPartAsLong()).as("by IPP").isEqualTo(id);

        Map<String, Object> other = PatientJson.valid("Condition", "Capucine");
        other.put("birthDate", "1977-05-04");
        other.remove("insMatricule");
        other.remove("insOid");
        other.put("identityStatus", "PROVISIONAL");
        other.remove("coverage");
        Api.Response twin = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, other));
        assertThat(twin.status()).as(twin.toString()).isEqualTo(201);
        assertThatThrownBy(() -> desk.create().resource(p.copy()).conditionalByUrl("Patient?family=Condition&birthdate=1977-05-04").execute())
                .as("two matches: 412").isInstanceOf(PreconditionFailedException.class);

        HttpResponse<String> unsupported = call("POST", "/fhir/Patient", as("frontdesk").token(), json(p), "If-None-Exist", "address-city=Lyon");
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(outcome(unsupported).getIssueFirstRep().getDiagnostics()).contains("address-city");

        long patient = fixtures().patientInCare();
        AllergyIntolerance a = new AllergyIntolerance();
        a.setPatient(new Reference("Patient/" + patient));
        a.setCode(new CodeableConcept().setText("Pollen"));
        a.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.LOW);
        HttpResponse<String> noIdentifier = call("POST", "/fhir/AllergyIntolerance", as("physician").token(), json(a),
                "If-None-Exist", "patient=Patient/" + patient);
        assertThat(noIdentifier.statusCode()).as("not evaluated, so not ignored either").isEqualTo(400);
        assertThat(outcome(noIdentifier).getIssueFirstRep().getDiagnostics()).contains("If-None-Exist");
        assertThat(count("allergy where patient_id = " + patient)).isZero();
    }

    /**
     * Conditional update: the criteria find the patient through the gateway; one match is updated (with its version,
     * like any update), several are 412 and nothing changes, none registers the patient; a criterion this server
     * cannot apply is refused rather than ignored.
     */
    @Test
    void conditionalUpdateChangesTheOnePatientItMatchesRefusesAmbiguityAndCreatesOtherwise() {
        IGenericClient desk = client("frontdesk");
        Patient p = new Patient();
        p.addName().setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).setFamily("Condupdate").addGiven("Aurèle");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.MALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1969-02-11"));
        MethodOutcome created = desk.update().resource(p).conditionalByUrl("Patient?family=Condupdate&birthdate=1969-02-11").execute();
        assertThat(created.getResponseStatusCode()).as("nobody matched: registered").isEqualTo(201);
        long id = created.getId().getIdPartAsLong();
        assertThat(patientsWhere(i -> "CONDUPDATE".equalsIgnoreCase(i.birthFamilyName()))).hasSize(1);

        Patient read = desk.read().resource(Patient.class).withId(Long.toString(id)).execute();
        var ipp = read.getIdentifier().stream().filter(i -> i.getSystem().startsWith(FhirCodes.IPP_SYSTEM)).findFirst().orElseThrow();
        String byIpp = "/fhir/Patient?identifier=" + java.net.URLEncoder.encode(ipp.getSystem() + "|" + ipp.getValue(), java.nio.charset.StandardCharsets.UTF_8);
        Patient changed = read.copy();
        changed.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+33 1 23 45 67 89");
        String token = as("frontdesk").token();
        HttpResponse<String> noVersion = call("PUT", byIpp, token, json(changed), FhirIds.CHANGE_REASON, "phone given at the desk");
        assertThat(noVersion.statusCode()).as("a conditional update still says which version it changes").isEqualTo(412);
        HttpResponse<String> updated = call("PUT", byIpp, token, json(changed), "If-Match", "W/\"" + read.getMeta().getVersionId() + "\"",
                FhirIds.CHANGE_REASON, "phone given at the desk");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        FhirValidation.assertValid(FhirContext.forR4Cached().newJsonParser().parseResource(updated.body()));
        Patient after = desk.read().resource(Patient.class).withId(Long.toString(id)).execute();
        assertThat(after.getMeta().getVersionId()).isEqualTo(Integer.toString(Integer.parseInt(read.getMeta().getVersionId()) + 1));
        assertThat(after.getTelecom()).extracting(org.hl7.fhir.r4.model.ContactPoint::getValue).as("normalised, as the registry keeps phones").contains("+33123456789");

        Patient twin = p.copy();
        twin.getNameFirstRep().getGiven().clear();
        twin.getNameFirstRep().addGiven("Aurélien");
        assertThat(desk.create().resource(twin).withAdditionalHeader("X-Dossier-Duplicates-Reviewed", "true").execute().getResponseStatusCode())
                .isEqualTo(201);
        HttpResponse<String> ambiguous = call("PUT", "/fhir/Patient?family=Condupdate&birthdate=1969-02-11", token, json(changed),
                "If-Match", "W/\"" + after.getMeta().getVersionId() + "\"", FhirIds.CHANGE_REASON, "x");
        assertThat(ambiguous.statusCode()).as("two matches: 412, nothing changed").isEqualTo(412);
        assertThat(outcome(ambiguous).getIssueFirstRep().getDiagnostics()).contains("2 patients match");

        HttpResponse<String> unsupported = call("PUT", "/fhir/Patient?address-city=Lyon", token, json(changed),
                "If-Match", "W/\"1\"", FhirIds.CHANGE_REASON, "x");
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(outcome(unsupported).getIssueFirstRep().getDiagnostics()).contains("Conditional update").contains("address-city");
        assertThat(patientsWhere(i -> "CONDUPDATE".equalsIgnoreCase(i.birthFamilyName()))).hasSize(2);
    }

    @Test
    void unsupportedInteractionsAre405WithAnOperationOutcomeAndUpdateAsCreateOnAnotherFacilitysRecordIsAudited() {
        long patient = fixtures().patientInCare();
        long allergy = allergyOf(patient, "Arachide");
        String token = as("physician").token();

        HttpResponse<String> delete = call("DELETE", "/fhir/Patient/" + patient, token, null);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(String.join(",", delete.headers().allValues("Allow"))).contains("GET", "PUT");
        assertThat(outcome(delete).getIssueFirstRep().getDiagnostics()).contains("entered in error");
        assertThat(call("PATCH", "/fhir/AllergyIntolerance/" + allergy, token, "[]").statusCode()).isEqualTo(405);
        assertThat(call("PUT", "/fhir/Observation/1", token, json(new Observation())).statusCode()).as("never updated").isEqualTo(405);
        HttpResponse<String> typeHistory = call("GET", "/fhir/Patient/_history", token, null);
        assertThat(typeHistory.statusCode()).isEqualTo(405);
        outcome(typeHistory);
        assertThat(call("GET", "/fhir/Location", token, null).statusCode()).as("not searched").isEqualTo(405);
        assertThat(call("GET", "/fhir/Observation", token, null).statusCode()).as("searched, but from a patient").isEqualTo(400);

        AllergyIntolerance a = new AllergyIntolerance();
        a.setPatient(new Reference("Patient/" + patient));
        a.setCode(new CodeableConcept().setText("Arachide"));
        a.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        a.setId("987654321");
        HttpResponse<String> asCreate = call("PUT", "/fhir/AllergyIntolerance/987654321", token, json(a), "If-Match", "W/\"1\"",
                FhirIds.CHANGE_REASON, "client-chosen id");
        assertThat(asCreate.statusCode()).as("update-as-create").isEqualTo(405);
        outcome(asCreate);

        a.setId(Long.toString(allergy));
        long denied = count("audit_entry where actor_username = 'physician.sud' and decision = 'DENY'");
        HttpResponse<String> otherFacility = call("PUT", "/fhir/AllergyIntolerance/" + allergy, as("physician.sud").token(), json(a),
                "If-Match", "W/\"1\"", FhirIds.CHANGE_REASON, "probing");
        assertThat(otherFacility.statusCode()).as("another facility's record is answered as one that does not exist").isEqualTo(405);
        assertThat(count("audit_entry where actor_username = 'physician.sud' and decision = 'DENY'"))
                .as("and the probe is audited").isEqualTo(denied + 1);
        a.setId(Long.toString(allergy));
        HttpResponse<String> legitimate = call("PUT", "/fhir/AllergyIntolerance/" + allergy, token, json(a), "If-Match", "W/\"1\"",
                FhirIds.CHANGE_REASON, "same");
        assertThat(legitimate.statusCode()).as(legitimate.body()).isEqualTo(200);
    }

    @Test
    void historyBundlesAreValidEverywhereAndAVersionNotKeptIsExplained() {
        long patient = fixtures().patientInCare();
        long allergy = allergyOf(patient, "Pénicilline");
        IGenericClient doctor = client("physician");
        AllergyIntolerance current = doctor.read().resource(AllergyIntolerance.class).withId(Long.toString(allergy)).execute();
        current.getCode().setText("Pénicillines (classe)");
        doctor.update().resource(current).withAdditionalHeader(FhirIds.CHANGE_REASON, "the class")
                .withAdditionalHeader("If-Match", "W/\"1\"").execute();

        Bundle history = doctor.history().onInstance("AllergyIntolerance/" + allergy).returnBundle(Bundle.class).execute();
        assertThat(history.getEntry()).hasSize(2);
        assertThat(history.getEntry()).allMatch(e -> e.hasRequest() && e.hasResponse() && e.getResponse().hasStatus());
        assertThat(history.getEntry().get(0).getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
        assertThat(history.getEntry().get(1).getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
        FhirValidation.assertValid(history);

        long past = jdbc.sql("""
                insert into encounter_history (facility_id, patient_id, class, type, start_at, end_at, source, recorded_by, created_at)
                select facility_id, id, 'AMB', 'General examination', now() - interval '400 days', now() - interval '400 days', 'test',
                       (select id from staff where username = 'admin'), now() from patient where id = ? returning id""")
                .param(patient).query(Long.class).single();
        Encounter read = doctor.read().resource(Encounter.class).withId("h" + past).execute();
        Bundle pastHistory = doctor.history().onInstance("Encounter/h" + past).returnBundle(Bundle.class).execute();
        assertThat(pastHistory.getEntry()).hasSize(1);
        assertThat(pastHistory.getEntryFirstRep().getResource().getIdElement().getIdPart()).isEqualTo(read.getIdElement().getIdPart());
        FhirValidation.assertValid(pastHistory);
        assertThat(doctor.read().resource(Encounter.class).withIdAndVersion("h" + past, "1").execute().getStatus())
                .isEqualTo(Encounter.EncounterStatus.FINISHED);

        // A record whose kept history starts above version 1, as the demo's records loaded in bulk.
        jdbc.sql("delete from clinical_version where entity_type = 'allergy' and entity_id = ? and version = 1").param(allergy).update();
        String token = as("physician").token();
        HttpResponse<String> notKept = call("GET", "/fhir/AllergyIntolerance/" + allergy + "/_history/1", token, null);
        assertThat(notKept.statusCode()).isEqualTo(410);
        assertThat(outcome(notKept).getIssueFirstRep().getDiagnostics()).contains("starts at version 2");
        HttpResponse<String> never = call("GET", "/fhir/AllergyIntolerance/" + allergy + "/_history/9", token, null);
        assertThat(never.statusCode()).isEqualTo(404);
        assertThat(outcome(never).getIssueFirstRep().getDiagnostics()).contains("No version 9");
    }

    @Test
    void everyReadCarriesETagAndLastModifiedAndSummaryTextIsTheResourcesText() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 77));
        doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Paracétamol 1 g", "atcCode", "N02BE01", "dose", "1 g",
                "route", "ORAL", "frequency", "three times a day", "durationDays", 3));
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", fixtures().unit(1, "CARDIO"),
                "attendingId", fixtures().staffId("physician"), "admittedAt", Instant.now().minus(2, ChronoUnit.HOURS).toString(), "reason", "syncope"));
        Api.Response upload = doc.upload("/api/patients/" + patient + "/documents", "Letter", "letter.pdf", "application/pdf",
                "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);

        IGenericClient fhir = client("physician");
        String token = doc.token();
        Map<String, String> firstOf = Map.of("Observation", "Observation?patient=Patient/" + patient,
                "MedicationRequest", "MedicationRequest?patient=Patient/" + patient, "Encounter", "Encounter?patient=Patient/" + patient,
                "DocumentReference", "DocumentReference?patient=Patient/" + patient);
        for (Map.Entry<String, String> type : firstOf.entrySet()) {
            Bundle found = fhir.search().byUrl(type.getValue()).returnBundle(Bundle.class).execute();
            assertThat(found.getEntry()).as(type.getKey()).isNotEmpty();
            String path = "/fhir/" + type.getKey() + "/" + found.getEntryFirstRep().getResource().getIdElement().getIdPart();
            HttpResponse<String> read = call("GET", path, token, null);
            assertThat(read.statusCode()).as(path).isEqualTo(200);
            assertThat(read.headers().firstValue("ETag")).as(path).isPresent();
            assertThat(read.headers().firstValue("Last-Modified")).as(path).isPresent();
        }

        HttpResponse<String> text = call("GET", "/fhir/Patient/" + patient + "?_summary=text", token, null);
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
        Patient summary = FhirValidation.assertValidJson(Patient.class, text.body());
        assertThat(summary.getIdElement().getIdPart()).isEqualTo(Long.toString(patient));
        assertThat(summary.getName()).as("only text, id, meta and mandatory elements").isEmpty();
    }

    @Test
    void unknownSearchParametersAreIgnoredAndReportedUnlessStrict() {
        long patient = fixtures().patientInCare();
        allergyOf(patient, "Ibuprofène");
        String token = as("physician").token();
        HttpResponse<String> lenient = call("GET", "/fhir/AllergyIntolerance?patient=Patient/" + patient + "&verification-status=confirmed&_sort=date",
                token, null);
        assertThat(lenient.statusCode()).as(lenient.body()).isEqualTo(200);
        Bundle bundle = FhirValidation.assertValidJson(Bundle.class, lenient.body());
        assertThat(bundle.getEntry()).filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME).singleElement()
                .satisfies(e -> assertThat(((OperationOutcome) e.getResource()).getIssue()).hasSize(2)
                        .anyMatch(i -> i.getDiagnostics().contains("verification-status")));
        assertThat(bundle.getEntry()).anyMatch(e -> e.getResource() instanceof AllergyIntolerance);
        String self = bundle.getLink("self").getUrl();
        assertThat(self).contains("patient=").doesNotContain("verification-status").doesNotContain("_sort");

        HttpResponse<String> strict = call("GET", "/fhir/AllergyIntolerance?patient=Patient/" + patient + "&verification-status=confirmed",
                token, null, "Prefer", "handling=strict");
        assertThat(strict.statusCode()).isEqualTo(400);
        assertThat(outcome(strict).getIssueFirstRep().getDiagnostics()).contains("verification-status");
    }

    @Test
    void everyFailureIsAnOperationOutcomeMalformedUrlsAndBadTokensIncluded() throws IOException {
        HttpResponse<String> badToken = call("GET", "/fhir/Patient/1", "dst_not-a-token", null);
        assertThat(badToken.statusCode()).isEqualTo(401);
        assertThat(badToken.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer").contains("invalid_token");
        outcome(badToken);
        HttpResponse<String> none = call("GET", "/fhir/Patient/1", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        outcome(none);

        long patient = fixtures().patientInCare();
        as("physician").post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 64));
        String token = as("physician").token();
        String pipe = raw("GET /fhir/Observation?patient=Patient/" + patient + "&code=http://loinc.org|8867-4 HTTP/1.1", token);
        assertThat(pipe).as("an unencoded '|' in a token search").startsWith("HTTP/1.1 200");
        Bundle series = FhirValidation.assertValidJson(Bundle.class, pipe.substring(pipe.indexOf("\r\n\r\n") + 4).trim());
        assertThat(series.getEntry()).isNotEmpty();

        String malformed = raw("GET /fhir/Patient/%ff HTTP/1.1", token);
        assertThat(malformed).startsWith("HTTP/1.1 400").containsIgnoringCase("content-type: application/fhir+json");
        String body = malformed.substring(malformed.indexOf("\r\n\r\n") + 4).trim();
        FhirValidation.assertValidJson(OperationOutcome.class, body);
    }

    /** A request written by hand: what an HTTP client library would have encoded for us. Chunked answers are not expected. */
    private String raw(String requestLine, String token) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
                    + "\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                return dechunk(answer);
            }
            return answer;
        }
    }

    private static String dechunk(String answer) {
        int start = answer.indexOf("\r\n\r\n") + 4;
        StringBuilder body = new StringBuilder();
        int at = start;
        while (true) {
            int eol = answer.indexOf("\r\n", at);
            int size = Integer.parseInt(answer.substring(at, eol).trim().split(";")[0], 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the bodies here are ASCII JSON apart from accents, so re-encode to be exact.
            byte[] rest = answer.substring(eol + 2).getBytes(StandardCharsets.UTF_8);
            String chunk = new String(rest, 0, size, StandardCharsets.UTF_8);
            body.append(chunk);
            at = eol + 2 + chunk.length() + 2;
        }
        return answer.substring(0, start) + body;
    }
}
