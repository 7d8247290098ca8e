package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The records other systems send that Dossier keeps as sent (ADR 0026): one small bundle holding one of each type, a
 * lab report with its result, a note in plain text (with markup in it), a PDF, a narrative with active content, a
 * payer's claim. Each kept record is served back valid and equal to its source but for id, meta and references; the
 * searches each type has narrow it; a clinician without a relationship is refused and audited; the chart shows the
 * notes as text and the report with its result's value.
 */
class ReceivedRecordsTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final List<String> KEPT = List.of("DiagnosticReport", "DiagnosticReport", "DocumentReference", "DocumentReference",
            "CareTeam", "CarePlan", "Device", "ImagingStudy", "MedicationAdministration", "SupplyDelivery", "Provenance");

    /** The fixture bundle (src/test/resources/fhir/received-records.json) for a patient named {@code family}. */
    static String bundle(String family) {
        try (InputStream in = ReceivedRecordsTest.class.getResourceAsStream("/fhir/received-records.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("FAMILY", family);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Imported(Bundle sent, Bundle response, long patient, Map<String, String> locations) {
        String location(int entry) {
            return response.getEntry().get(entry).getResponse().getLocation();
        }
    }

    private Imported importFixture() {
        String family = "Recu" + UUID.randomUUID().toString().replaceAll("[^a-f]", "") + "e";
        String json = bundle(family);
        Api.Response answer = as("admin").postRaw("/fhir", "application/fhir+json", json, Map.of("X-Dossier-Facility", "1"));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        Bundle sent = FHIR.newJsonParser().parseResource(Bundle.class, json);
        Bundle response = FHIR.newJsonParser().parseResource(Bundle.class, answer.body());
        Map<String, String> locations = new HashMap<>();
        for (int i = 0; i < sent.getEntry().size(); i++) {
            String location = response.getEntry().get(i).getResponse().getLocation();
            if (location != null) {
                locations.put(sent.getEntry().get(i).getFullUrl(), location);
            }
        }
        long patient = Long.parseLong(locations.get(sent.getEntry().get(0).getFullUrl()).substring("Patient/".length()));
        return new Imported(sent, response, patient, locations);
    }

    private Resource read(String user, String location) {
        Api.Response r = as(user).get("/fhir/" + location);
        assertThat(r.status()).as(location + " " + r).isEqualTo(200);
        return (Resource) FHIR.newJsonParser().parseResource(r.body());
    }

    @Test
    void eachTypeIsKeptAsSentServedBackValidAndSearchable() {
        Imported imported = importFixture();
        Bundle sent = imported.sent();
        List<String> types = new ArrayList<>();
        for (int i = 0; i < sent.getEntry().size(); i++) {
            String type = sent.getEntry().get(i).getResource().fhirType();
            var response = imported.response().getEntry().get(i).getResponse();
            if (KEPT.contains(type) && i != 15) {
                assertThat(response.getStatus()).as(type + " " + response.getOutcome()).startsWith("201");
                assertThat(imported.location(i)).matches(type + "/r\\d+");
                types.add(type);
            }
        }
        assertThat(types).containsExactlyInAnyOrderElementsOf(KEPT);
        // The narrative with an event handler is refused with its reason; the foreign payer's claim is not applicable.
        var unsafe = imported.response().getEntry().get(15).getResponse();
        assertThat(unsafe.getStatus()).startsWith("422");
        assertThat(((OperationOutcome) unsafe.getOutcome()).getIssueFirstRep().getDiagnostics()).contains("active content");
        assertThat(imported.response().getEntry().get(13).getResponse().getStatus()).startsWith("422");

        fixtures().careFor(imported.patient(), "physician");
        List<Resource> served = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < sent.getEntry().size(); i++) {
            if (imported.location(i) == null || !imported.location(i).contains("/r")) {
                continue;
            }
            Resource s = read("physician", imported.location(i));
            served.add(s);
            differences.addAll(RoundTrip.compareKept(sent.getEntry().get(i).getResource(), s, imported.locations()));
        }
        assertThat(differences).as("kept records differ from what was sent").isEmpty();
        FhirValidation.assertValid(served.toArray(Resource[]::new));

        // References point here: the report's result to the measurement stored, the original kept as identifier.
        DiagnosticReport panel = (DiagnosticReport) read("physician", imported.location(3));
        Reference result = panel.getResultFirstRep();
        assertThat(result.getReference()).isEqualTo(imported.location(2)).startsWith("Observation/");
        assertThat(result.getIdentifier().getValue()).isEqualTo(sent.getEntry().get(2).getFullUrl());
        assertThat(panel.getSubject().getReference()).isEqualTo("Patient/" + imported.patient());
        assertThat(panel.getPerformerFirstRep().getIdentifier().getValue()).isEqualTo("9999999917");
        assertThat(panel.getMeta().getProfile()).isEmpty();
        // The provenance names the claim not stored by its original id and type.
        Provenance provenance = (Provenance) read("physician", imported.location(14));
        Reference claim = provenance.getTarget().get(3);
        assertThat(claim.hasReference()).isFalse();
        assertThat(claim.getType()).isEqualTo("Claim");
        assertThat(claim.getIdentifier().getValue()).isEqualTo(sent.getEntry().get(13).getFullUrl());

        // vread and history: a valid Bundle with request and response on its entry.
        Api.Response vread = as("physician").get("/fhir/" + imported.location(3) + "/_history/1");
        assertThat(vread.status()).as(vread.toString()).isEqualTo(200);
        Api.Response history = as("physician").get("/fhir/" + imported.location(5) + "/_history");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        Bundle h = FhirValidation.assertValidJson(Bundle.class, history.body());
        assertThat(h.getEntry()).hasSize(1);
        assertThat(as("physician").get("/fhir/" + imported.location(3) + "/_history/2").status()).isEqualTo(404);
        assertThat(as("physician").get("/fhir/DiagnosticReport/12").status()).isEqualTo(404);
        // A record of another type under this one's id is not found.
        assertThat(as("physician").get("/fhir/CarePlan/" + imported.location(3).substring("DiagnosticReport/".length())).status())
                .isEqualTo(404);

        String p = "patient=Patient/" + imported.patient();
        Map<String, Integer> searches = new java.util.LinkedHashMap<>();
        searches.put("DiagnosticReport?" + p, 2);
        searches.put("DiagnosticReport?" + p + "&category=http://terminology.hl7.org/CodeSystem/v2-0074%7CLAB", 1);
        searches.put("DiagnosticReport?" + p + "&code=http://loinc.org%7C51990-0", 1);
        searches.put("DiagnosticReport?" + p + "&code:text=metabolic", 1);
        searches.put("DiagnosticReport?" + p + "&date=ge2023-03-14&date=lt2023-03-15", 2);
        searches.put("DiagnosticReport?" + p + "&date=lt2023-01-01", 0);
        searches.put("DiagnosticReport?" + p + "&status=final", 2);
        searches.put("DiagnosticReport?" + p + "&status=preliminary", 0);
        searches.put("CarePlan?" + p + "&date=ge2023-03-01&status=active", 1);
        searches.put("CarePlan?" + p + "&category=http://snomed.info/sct%7C698360004", 1);
        searches.put("CareTeam?" + p + "&status=active&date=ge2023-01-01", 1);
        searches.put("Device?" + p + "&type=http://snomed.info/sct%7C337414009", 1);
        searches.put("ImagingStudy?" + p + "&started=gt2023-03-15T00:00:00Z", 1);
        searches.put("ImagingStudy?" + p + "&started=lt2023-03-15", 0);
        searches.put("MedicationAdministration?" + p + "&code=1719286&effective-time=2023-03-14", 1);
        searches.put("SupplyDelivery?" + p + "&status=completed", 1);
        searches.put("Provenance?" + p + "&recorded=ge2023-03-15", 1);
        searches.put("DocumentReference?" + p + "&category=clinical-note", 1);
        searches.put("DocumentReference?" + p + "&type=http://loinc.org%7C18748-4&date=sa2023-03-14", 1);
        for (var search : searches.entrySet()) {
            Api.Response found = as("physician").get("/fhir/" + search.getKey());
            assertThat(found.status()).as(search.getKey() + " " + found).isEqualTo(200);
            Bundle b = FhirValidation.assertValidJson(Bundle.class, found.body());
            assertThat(b.getEntry()).as(search.getKey()).hasSize(search.getValue());
        }

        // $everything sends them too, under its one decision.
        Api.Response everything = as("physician").get("/fhir/Patient/" + imported.patient() + "/$everything");
        assertThat(everything.status()).as(everything.toString()).isEqualTo(200);
        Bundle all = FhirValidation.assertValidJson(Bundle.class, everything.body());
        assertThat(all.getEntry().stream().map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()))
                .contains(imported.location(3), imported.location(5), imported.location(7), imported.location(14));

        String metadata = anonymous().get("/fhir/metadata").body();
        for (String type : List.of("DiagnosticReport", "CarePlan", "CareTeam", "Device", "Provenance", "ImagingStudy",
                "MedicationAdministration", "SupplyDelivery")) {
            assertThat(metadata).contains("\"type\":\"" + type + "\"");
        }
    }

    /** A search for the patient's documents answers those filed here and those received, each once, ids apart. */
    @Test
    void aDocumentReferenceSearchShowsTheDocumentsFiledHereAndTheNotesReceived() {
        Imported imported = importFixture();
        fixtures().careFor(imported.patient(), "physician");
        Api.Response upload = as("physician").upload("/api/patients/" + imported.patient() + "/documents", "Letter", "letter.pdf",
                "application/pdf", "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        long audited = count("audit_entry where actor_username = 'physician' and patient_id = " + imported.patient());
        Api.Response found = as("physician").get("/fhir/DocumentReference?patient=Patient/" + imported.patient());
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        assertThat(count("audit_entry where actor_username = 'physician' and patient_id = " + imported.patient()) - audited)
                .as("one decision for both kinds").isEqualTo(1);
        Bundle b = FhirValidation.assertValidJson(Bundle.class, found.body());
        List<String> ids = b.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(ids.stream().filter(id -> id.startsWith("r"))).hasSize(2);
        assertThat(ids.stream().filter(id -> id.matches("\\d+"))).hasSize(1);
        for (String id : ids) {
            Api.Response read = as("physician").get("/fhir/DocumentReference/" + id);
            assertThat(read.status()).as(id + " " + read).isEqualTo(200);
            assertThat(read.header("Last-Modified")).isNotNull();
            FhirValidation.assertValidJson(DocumentReference.class, read.body());
            Api.Response history = as("physician").get("/fhir/DocumentReference/" + id + "/_history");
            assertThat(history.status()).as(id + " " + history).isEqualTo(200);
            FhirValidation.assertValidJson(Bundle.class, history.body());
        }
    }

    /**
     * A clinician of the facility with no relationship to the patient is refused every received record (403, audited
     * DENY, nothing of it in the answer); the physician caring for the patient reads them, audited ALLOW.
     */
    @Test
    void aClinicianWithoutARelationshipIsRefusedAndAuditedTheOneCaringReads() {
        Imported imported = importFixture();
        long patient = imported.patient();
        String denied = "audit_entry where actor_username = 'er.physician' and patient_id = " + patient + " and decision = 'DENY'";
        long before = count(denied);
        List<String> paths = List.of("/fhir/" + imported.location(3), "/fhir/" + imported.location(5), "/fhir/" + imported.location(14),
                "/fhir/" + imported.location(3) + "/_history", "/fhir/DiagnosticReport?patient=Patient/" + patient,
                "/fhir/DocumentReference?patient=Patient/" + patient, "/fhir/Provenance?patient=Patient/" + patient);
        for (String path : paths) {
            Api.Response refused = as("er.physician").get(path);
            assertThat(refused.status()).as(path + " " + refused).isEqualTo(403);
            assertThat(refused.body()).contains("OperationOutcome").doesNotContain("loinc").doesNotContain("metabolic");
        }
        assertThat(count(denied)).isEqualTo(before + paths.size());
        assertThat(count(denied + " and resource_type = 'ReceivedRecord'")).isPositive();

        fixtures().careFor(patient, "physician");
        String id = imported.location(3).replaceAll(".*/r", "");
        Api.Response read = as("physician").get("/fhir/" + imported.location(3));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).contains("51990-0");
        assertThat(count("audit_entry where actor_username = 'physician' and patient_id = " + patient
                + " and resource_type = 'ReceivedRecord' and resource_id = '" + id + "' and decision = 'ALLOW'")).isPositive();
    }

    /**
     * The chart's documents tab shows what other systems sent, under its one decision: a note's text as text (its markup
     * escaped, never rendered), the report with its result's value, the PDF named and not shown.
     */
    @Test
    void theChartShowsReceivedNotesAsTextAndReportsWithTheirResults() {
        Imported imported = importFixture();
        long patient = imported.patient();
        fixtures().careFor(patient, "physician");
        long entries = count("audit_entry where actor_username = 'physician' and patient_id = " + patient);
        BrowserSession browser = BrowserSession.signedIn(port, "physician");
        Api.Response chart = browser.page("/patients/" + patient + "?tab=documents");
        assertThat(chart.status()).isEqualTo(200);
        assertThat(count("audit_entry where actor_username = 'physician' and patient_id = " + patient) - entries)
                .as("one decision for the tab, none per row").isEqualTo(1);
        String body = chart.body();
        assertThat(body).contains("id=\"received\"", "Comptes rendus et documents d&#39;autres systèmes")
                .contains("Basic metabolic panel", "Glucose", "95 mg/dL")
                .contains("Chief complaint: chest pain")
                .contains("Patient &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; stable &amp; comfortable")
                .doesNotContain("<script>alert(")
                .doesNotContain("<i>unstable angina</i>")
                .contains("scan.pdf", "not shown here: application/pdf", "Pièce jointe")
                .contains("Blood glucose meter", "Furosemide 10 MG/ML Injection", "Plain chest X-ray", "Diabetes self management plan");
    }

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    private static Bundle search(IGenericClient fhir, String url) {
        Bundle b = fhir.search().byUrl(fhir.getServerBase() + "/" + url).returnBundle(Bundle.class).execute();
        FhirValidation.assertValid(b);
        return b;
    }

    private static List<String> entries(Bundle b, Bundle.SearchEntryMode mode) {
        return b.getEntry().stream().filter(e -> e.getSearch().getMode() == mode)
                .map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()).toList();
    }

    private static String outcome(Bundle b) {
        return b.getEntry().stream().filter(e -> e.getResource() instanceof OperationOutcome)
                .flatMap(e -> ((OperationOutcome) e.getResource()).getIssue().stream())
                .map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).reduce("", (a, b2) -> a + "\n" + b2);
    }

    private long chartOpenings(long patient, String username, String decision) {
        return count("audit_entry where patient_id = " + patient + " and actor_username = '" + username + "' and decision = '" + decision
                + "' and resource_type = 'Chart'");
    }

    /**
     * A report's search with {@code _include=DiagnosticReport:result} and {@code *:patient}: the results kept here and the
     * patient, under one decision (the chart opened once); a result naming another patient's observation is not served;
     * what is not offered is ignored and reported; a clinician with no relationship is refused, audited.
     */
    @Test
    void aReportSearchIncludesItsResultsAndThePatientUnderOneDecision() {
        Imported imported = importFixture();
        long patient = imported.patient();
        fixtures().careFor(patient, "physician");
        String glucose = imported.location(2).replaceAll("/_history.*", "");
        String report = imported.location(3).replaceAll("/_history.*", "");
        // Another patient's observation, named by this patient's report (a sender's mistake or a forged record).
        long other = fixtures().patient();
        long foreign = jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                values (1, ?, 'LAB', '2345-7', 'Foreign glucose', 180, 'mg/dL', now(), 'FINAL', ?, 1, now()) returning id""")
                .param(other).param(fixtures().staffId("physician")).query(Long.class).single();
        jdbc.sql("update received_record set resource = cast(jsonb_insert(cast(resource as jsonb), '{result,0}', "
                        + "jsonb_build_object('reference', cast(? as text))) as json) where id = ?").param("Observation/" + foreign)
                .param(Long.parseLong(report.replaceAll(".*/r", ""))).update();
        IGenericClient doctor = client("physician");

        long allowed = chartOpenings(patient, "physician", "ALLOW");
        Bundle reports = search(doctor, "DiagnosticReport?patient=" + patient + "&_include=DiagnosticReport:result&_include=*:patient"
                + "&_include=DiagnosticReport:performer");
        assertThat(chartOpenings(patient, "physician", "ALLOW")).as("one decision, includes within it").isEqualTo(allowed + 1);
        assertThat(entries(reports, Bundle.SearchEntryMode.MATCH)).hasSize(2).allMatch(e -> e.startsWith("DiagnosticReport/r"));
        assertThat(entries(reports, Bundle.SearchEntryMode.INCLUDE)).as("the patient's own result only")
                .containsExactlyInAnyOrder(glucose, "Patient/" + patient);
        assertThat(outcome(reports)).as("not offered: ignored and reported").contains("_include=DiagnosticReport:performer was ignored")
                .doesNotContain("_include=DiagnosticReport:result was ignored").doesNotContain("*:patient was ignored");
        assertThat(reports.getLink(Bundle.LINK_SELF).getUrl()).as("what was applied").contains("DiagnosticReport%3Aresult").doesNotContain("performer");
        Observation result = (Observation) reports.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(r -> r instanceof Observation).findFirst().orElseThrow();
        assertThat(result.getValueQuantity().getValue()).isEqualByComparingTo("95");

        Bundle star = search(doctor, "DiagnosticReport?patient=" + patient + "&code=51990-0&_include=*");
        assertThat(entries(star, Bundle.SearchEntryMode.MATCH)).containsExactly(report);
        assertThat(entries(star, Bundle.SearchEntryMode.INCLUDE)).containsExactlyInAnyOrder(glucose, "Patient/" + patient);

        for (String type : List.of("CarePlan", "Device", "Provenance", "ImagingStudy", "MedicationAdministration", "SupplyDelivery")) {
            Bundle found = search(doctor, type + "?patient=" + patient + "&_include=*:patient&_revinclude=Provenance:target");
            assertThat(entries(found, Bundle.SearchEntryMode.MATCH)).as(type).isNotEmpty().allMatch(e -> e.startsWith(type + "/r"));
            assertThat(entries(found, Bundle.SearchEntryMode.INCLUDE)).as(type).containsExactly("Patient/" + patient);
            assertThat(outcome(found)).as(type).contains("Provenance:target");
        }
        Bundle plain = search(doctor, "DiagnosticReport?patient=" + patient);
        assertThat(plain.getEntry()).as("without includes, as before").hasSize(2);

        long denied = count("audit_entry where actor_username = 'er.physician' and patient_id = " + patient + " and decision = 'DENY'");
        assertThatThrownBy(() -> search(client("er.physician"), "DiagnosticReport?patient=" + patient + "&_include=DiagnosticReport:result"))
                .isInstanceOf(ForbiddenOperationException.class).hasMessageNotContaining("95");
        assertThat(count("audit_entry where actor_username = 'er.physician' and patient_id = " + patient + " and decision = 'DENY'"))
                .isEqualTo(denied + 1);
    }

    /**
     * The documents tab words each result of a report as the observations tab does: a coded finding by its text, a
     * text as sent, a yes/no in the reader's language, a survey's answers one per line, never "—" for a kept result.
     */
    @Test
    void theChartWordsEveryKindOfReportResultAsTheObservationsTabDoes() {
        String family = "Recu" + UUID.randomUUID().toString().replaceAll("[^a-f]", "") + "e";
        Bundle sent = FHIR.newJsonParser().parseResource(Bundle.class, bundle(family));
        String subject = sent.getEntry().get(0).getFullUrl();
        DiagnosticReport urinalysis = new DiagnosticReport();
        urinalysis.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        urinalysis.getCode().setText("Urinalysis complete panel").addCoding(new Coding(FhirCodes.LOINC, "24357-6", "Urinalysis macro panel"));
        urinalysis.setSubject(new Reference(subject));
        urinalysis.setEffective(new DateTimeType("2023-03-15T08:00:00+01:00"));
        List<Observation> results = new ArrayList<>();
        results.add(urineResult("5767-9", "Appearance of Urine", new CodeableConcept().setText("Cloudy urine")
                .addCoding(new Coding(FhirCodes.SNOMED, "167238004", "Cloudy urine"))));
        results.add(urineResult("5778-6", "Color of Urine", new StringType("Dark yellow")));
        results.add(urineResult("20454-5", "Protein presence in Urine", new BooleanType(false)));
        Observation survey = urineResult("55757-9", "PHQ-2", null);
        survey.addComponent().setCode(new CodeableConcept().setText("Little interest"))
                .setValue(new CodeableConcept().setText("Several days"));
        results.add(survey);
        for (Observation o : results) {
            o.setSubject(new Reference(subject));
            String url = "urn:uuid:" + UUID.randomUUID();
            sent.addEntry().setFullUrl(url).setResource(o).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
            urinalysis.addResult(new Reference(url).setDisplay(o.getCode().getText()));
        }
        String reportUrl = "urn:uuid:" + UUID.randomUUID();
        sent.addEntry().setFullUrl(reportUrl).setResource(urinalysis).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("DiagnosticReport");
        Api.Response answer = as("admin").postRaw("/fhir", "application/fhir+json", FHIR.newJsonParser().encodeResourceToString(sent),
                Map.of("X-Dossier-Facility", "1"));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        Bundle response = FHIR.newJsonParser().parseResource(Bundle.class, answer.body());
        assertThat(response.getEntry().stream().skip(sent.getEntry().size() - results.size() - 1).map(e -> e.getResponse().getStatus()))
                .as(answer.body()).allMatch(st -> st.startsWith("201"));
        long patient = Long.parseLong(response.getEntry().get(0).getResponse().getLocation().replaceAll("^Patient/(\\d+).*", "$1"));
        String reportId = response.getEntry().get(sent.getEntry().size() - 1).getResponse().getLocation().replaceAll("^DiagnosticReport/(r\\d+).*", "$1");
        fixtures().careFor(patient, "physician");

        Api.Response chart = BrowserSession.signedIn(port, "physician").page("/patients/" + patient + "?tab=documents");
        assertThat(chart.status()).isEqualTo(200);
        String body = chart.body();
        int start = body.indexOf("id=\"received-" + reportId + "\"");
        assertThat(start).as("the urinalysis is shown").isPositive();
        String article = body.substring(start, body.indexOf("</article>", start));
        assertThat(article).contains("Appearance of Urine", "Cloudy urine", "Color of Urine", "Dark yellow", "Protein presence in Urine",
                        ">Non<", "Little interest: Several days")
                .as("every result kept here is worded, none shown as missing").doesNotContain("—");
        assertThat(body).as("the number's result as before").contains("Glucose", "95 mg/dL");
    }

    private static Observation urineResult(String loinc, String text, org.hl7.fhir.r4.model.Type value) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", null));
        o.getCode().setText(text).addCoding(new Coding(FhirCodes.LOINC, loinc, text));
        o.setEffective(new DateTimeType("2023-03-15T08:00:00+01:00"));
        if (value != null) {
            o.setValue(value);
        }
        return o;
    }
}
