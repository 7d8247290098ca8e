package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.gclient.ReferenceClientParam;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Importing Synthea's bundles (../shared/data/synthea) through POST /fhir: an administrator's privileged, audited
 * operation that registers patients and writes only their history, reports what Dossier does not model, and whose
 * result a clinician caring for the patient reads back over FHIR.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FhirImportTest extends IntegrationTest {

    /** The project's shared data beside the repository (../shared), or where DOSSIER_SHARED_DIR says. */
    static final Path SYNTHEA = Path.of(System.getenv().getOrDefault("DOSSIER_SHARED_DIR", "../shared"), "data", "synthea");

    @org.junit.jupiter.api.BeforeAll
    static void theSyntheaBundlesAreThere() {
        assertThat(Files.isDirectory(SYNTHEA)).as("the Synthea bundles are read from " + SYNTHEA.toAbsolutePath()
                + ": clone the repository beside the project's shared folder, or set DOSSIER_SHARED_DIR").isTrue();
    }
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    /** Each patient file's import response, in the order of its entries (kept for the round trip). */
    private static final Map<Path, Bundle> IMPORTED = new java.util.TreeMap<>();
    private static final Set<String> COMPARED = Set.of("MedicationRequest", "AllergyIntolerance", "Condition", "Observation",
            "Procedure", "Immunization", "DiagnosticReport", "DocumentReference", "CarePlan", "CareTeam", "Device", "Provenance",
            "ImagingStudy", "MedicationAdministration", "SupplyDelivery");

    private static Path file(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(SYNTHEA)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    static List<Path> patientFiles() throws IOException {
        try (Stream<Path> files = Files.list(SYNTHEA)) {
            return files.filter(f -> f.toString().endsWith(".json")).filter(f -> !f.getFileName().toString().startsWith("hospital")
                    && !f.getFileName().toString().startsWith("practitioner")).sorted().toList();
        }
    }

    private Api.Response importFile(String username, Path file) throws IOException {
        return as(username).postRaw("/fhir", "application/fhir+json", Files.readString(file),
                Map.of("X-Dossier-Facility", "1", "X-Dossier-Import-Source", file.getFileName().toString()));
    }

    private static Bundle parse(Path file) throws IOException {
        return FHIR.newJsonParser().parseResource(Bundle.class, Files.readString(file));
    }

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        return client;
    }

    @Test
    @Order(1)
    void aClinicianCannotImportAndTheRefusalIsAudited() throws IOException {
        long before = count("patient");
        Api.Response refused = importFile("physician", file("Brent147"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.body()).contains("OperationOutcome").contains("administrator");
        assertThat(count("patient")).isEqualTo(before);
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = 'physician' and action = 'import' and decision = 'DENY'")
                .query(Long.class).single()).isPositive();
    }

    @Test
    @Order(2)
    void aPatientBundleBeforeItsPractitionersIsRefusedWholeAndNamesWhatToImportFirst() throws IOException {
        long before = count("patient");
        long encounters = count("encounter_history"); // other tests of this context may have imported some
        Api.Response refused = importFile("admin", file("Brent147"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.body()).contains("practitionerInformation");
        assertThat(count("patient")).as("a transaction is all or nothing").isEqualTo(before);
        assertThat(count("encounter_history")).isEqualTo(encounters);
    }

    @Test
    @Order(3)
    void syntheaBundlesImportUnchangedAndEveryEntryIsAccountedFor() throws IOException {
        Api.Response hospital = importFile("admin", file("hospitalInformation"));
        assertThat(hospital.status()).as(hospital.toString()).isEqualTo(200);
        Api.Response practitioners = importFile("admin", file("practitionerInformation"));
        assertThat(practitioners.status()).isEqualTo(200);
        assertThat(practitioners.body()).as("a practitioner's role elsewhere is not kept, and the answer says why")
                .contains("PractitionerRole is not modelled by Dossier (another organization's directory");
        assertThat(count("external_party")).isGreaterThanOrEqualTo(parse(file("practitionerInformation")).getEntry().size() / 2);

        long before = count("patient");
        for (Path file : patientFiles()) {
            Bundle request = parse(file);
            Api.Response imported = importFile("admin", file);
            assertThat(imported.status()).as(file + " " + imported.toString().substring(0, Math.min(600, imported.toString().length())))
                    .isEqualTo(200);
            Bundle response = FHIR.newJsonParser().parseResource(Bundle.class, imported.body());
            assertThat(response.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
            assertThat(response.getEntry()).hasSameSizeAs(request.getEntry());
            for (int i = 0; i < response.getEntry().size(); i++) {
                String status = response.getEntry().get(i).getResponse().getStatus();
                assertThat(status).isIn("201 Created", "200 OK", "422 Unprocessable Entity");
                if (status.startsWith("422")) {
                    assertThat(response.getEntry().get(i).getResponse().getOutcome()).as("a reason for every entry not stored").isNotNull();
                }
                String type = request.getEntry().get(i).getResource().fhirType();
                if (type.equals("Claim") || type.equals("ExplanationOfBenefit")) {
                    var issue = ((org.hl7.fhir.r4.model.OperationOutcome) response.getEntry().get(i).getResponse().getOutcome()).getIssueFirstRep();
                    assertThat(status).startsWith("422");
                    assertThat(issue.getSeverity()).isEqualTo(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.INFORMATION);
                    assertThat(issue.getDiagnostics()).as("the reason, naming the payer").contains(type + " not applicable: billing of a foreign payer (payer ");
                }
            }
            IMPORTED.put(file, response);
            String report = imported.header("X-Dossier-Import-Report");
            assertThat(report).startsWith("patients=1;");
            String notModelled = report.replaceAll(".*; not modelled \\d+ \\{([^}]*)}.*", "$1");
            String notApplicable = report.replaceAll(".*; not applicable \\d+ \\{([^}]*)} \\(billing of a foreign payer\\).*", "$1");
            assertThat(notApplicable).as(report).contains("Claim=").contains("ExplanationOfBenefit=");
            assertThat(notModelled).as(report).doesNotContain("Claim", "ExplanationOfBenefit", "Procedure", "Immunization",
                    "DiagnosticReport", "DocumentReference", "CarePlan", "CareTeam", "Device", "Provenance", "ImagingStudy",
                    "MedicationAdministration", "SupplyDelivery", "Observation");
        }
        assertThat(count("patient") - before).isEqualTo(patientFiles().size());
        assertThat(jdbc.sql("select count(*) from problem where code_system = 'SNOMED-CT'").query(Long.class).single()).isPositive();
        assertThat(count("procedure_record where code_system = 'http://snomed.info/sct'")).isPositive();
        assertThat(count("immunization where code_system = 'http://hl7.org/fhir/sid/cvx'")).isPositive();
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = 'admin' and action = 'import' and decision = 'ALLOW'")
                .query(Long.class).single()).isGreaterThanOrEqualTo(patientFiles().size());
    }

    /**
     * The round trip: every MedicationRequest, AllergyIntolerance, Condition, Observation, Procedure and Immunization an import stored is read
     * back over FHIR by a clinician caring for the patient and compared, field by field, with what was sent
     * ({@link RoundTrip}). Nothing stored may differ from its source; the counts are printed and in docs/fhir.md. Every
     * observation is kept (coded findings, texts, surveys' components too), and those that are not one number validate.
     */
    @Test
    @Order(4)
    void everyImportedRecordReadsBackAsItWasSent() throws IOException {
        assertThat(IMPORTED).as("the import test ran first").hasSize(patientFiles().size());
        IGenericClient fhir = client("physician");
        Map<String, int[]> counts = new TreeMap<>(); // stored, not modelled, refused, compared
        Map<String, Map<String, Integer>> observationsByCategory = new TreeMap<>(); // category → value[x] → stored and compared
        List<Observation> notANumber = new java.util.ArrayList<>(); // coded, text, components: served, then validated
        List<String> differences = new java.util.ArrayList<>();
        for (var imported : IMPORTED.entrySet()) {
            Bundle sent = parse(imported.getKey());
            Bundle response = imported.getValue();
            long patient = response.getEntry().stream().map(e -> e.getResponse().getLocation()).filter(l -> l != null && l.startsWith("Patient/"))
                    .map(l -> Long.parseLong(l.substring("Patient/".length()).replaceAll("/.*", ""))).findFirst().orElseThrow();
            fixtures().careFor(patient, "physician");
            Map<String, String> locations = new java.util.HashMap<>();
            for (int i = 0; i < sent.getEntry().size(); i++) {
                if (response.getEntry().get(i).getResponse().hasLocation()) {
                    locations.put(sent.getEntry().get(i).getFullUrl(), response.getEntry().get(i).getResponse().getLocation());
                }
            }
            for (int i = 0; i < sent.getEntry().size(); i++) {
                Resource source = sent.getEntry().get(i).getResource();
                if (!COMPARED.contains(source.fhirType())) {
                    continue;
                }
                var answer = response.getEntry().get(i).getResponse();
                int[] c = counts.computeIfAbsent(source.fhirType(), t -> new int[4]);
                if (answer.getStatus().startsWith("201")) {
                    c[0]++;
                    Resource served = (Resource) fhir.read().resource(source.getClass()).withUrl(answer.getLocation()).execute();
                    differences.addAll(ReceivedImport.kept(source.fhirType()) ? RoundTrip.compareKept(source, served, locations)
                            : RoundTrip.compare(source, served));
                    c[3]++;
                    if (source instanceof Observation o && (!o.hasValueQuantity() || o.hasComponent())) {
                        notANumber.add((Observation) served);
                    }
                    if (source instanceof Observation o) {
                        String shape = o.hasValue() ? o.getValue().fhirType() : o.hasComponent() ? "components" : o.hasDataAbsentReason()
                                ? "dataAbsentReason" : "nothing";
                        o.getCategory().forEach(cat -> cat.getCoding().forEach(x -> observationsByCategory
                                .computeIfAbsent(x.getCode(), k -> new TreeMap<>()).merge(shape, 1, Integer::sum)));
                    }
                } else if (((org.hl7.fhir.r4.model.OperationOutcome) answer.getOutcome()).getIssueFirstRep().getCode()
                        == org.hl7.fhir.r4.model.OperationOutcome.IssueType.NOTSUPPORTED) {
                    c[1]++;
                } else {
                    c[2]++;
                }
            }
        }
        StringBuilder report = new StringBuilder("Round trip of the Synthea import (stored / not modelled / refused; compared field by field):");
        counts.forEach((type, c) -> report.append("\n  ").append(type).append(": ").append(c[0]).append(" / ").append(c[1]).append(" / ")
                .append(c[2]).append("; compared ").append(c[3]));
        report.append("\n  Observation stored by category (value[x] → count): ").append(observationsByCategory);
        report.append("\n  altered: ").append(differences.size());
        System.out.println(report);
        differences.stream().collect(Collectors.groupingBy(d -> d.replaceAll("/\\d+ \\(sent [^)]*\\): (\\S+( \\(original\\))?).*", ": $1"),
                TreeMap::new, Collectors.counting())).forEach((field, n) -> System.out.println("  altered " + field + ": " + n));
        differences.stream().limit(40).forEach(d -> System.out.println("  ALTERED " + d));
        assertThat(differences).as(report.toString()).isEmpty();
        assertThat(counts.get("Observation")[1]).as("every observation of the set is kept: " + report).isZero();
        assertThat(observationsByCategory).as(report.toString()).containsKeys("laboratory", "survey", "social-history", "vital-signs");
        assertThat(FhirValidation.errors(notANumber)).as(notANumber.size() + " observations that are not one number, as served").isEmpty();
    }

    /**
     * Procedures and immunizations are clinical: a clinician of the facility without a relationship to the patient is
     * refused (403, audited DENY, nothing of the record in the answer); the physician caring for them reads and searches
     * them, by date with its prefixes, and what is served validates.
     */
    /**
     * What could not come back as it was sent is refused, not altered: a procedure's period without an end (it would be
     * served as an instant). An instant stays an instant, and a performer the bundle only names is kept by that name.
     */
    @Test
    @Order(13)
    void aProcedureIsKeptAsSentOrRefusedWithItsReason() {
        String subject = "urn:uuid:6f1c1e0e-0000-4000-8000-000000000099";
        org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
        p.addName().setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).setFamily("Procedurova").addGiven("Alma");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1981-03-02"));
        org.hl7.fhir.r4.model.Procedure instant = new org.hl7.fhir.r4.model.Procedure();
        instant.setStatus(org.hl7.fhir.r4.model.Procedure.ProcedureStatus.COMPLETED).setSubject(new Reference(subject));
        instant.getCode().setText("Appendectomy").addCoding().setSystem("http://snomed.info/sct").setCode("80146002");
        instant.setPerformed(new org.hl7.fhir.r4.model.DateTimeType("2021-06-03T10:15:00+02:00"));
        instant.addPerformer().setActor(new Reference().setDisplay("Dr. Ada Lovelace"));
        org.hl7.fhir.r4.model.Procedure open = instant.copy();
        open.setPerformed(new org.hl7.fhir.r4.model.Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2021-06-03")));
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().setFullUrl(subject).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        batch.addEntry().setResource(instant).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Procedure");
        batch.addEntry().setResource(open).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Procedure");

        Bundle response = client("admin").transaction().withBundle(batch).withAdditionalHeader("X-Dossier-Facility", "1").execute();
        String location = response.getEntry().get(1).getResponse().getLocation();
        assertThat(location).startsWith("Procedure/");
        var refused = response.getEntry().get(2).getResponse();
        assertThat(refused.getStatus()).startsWith("422");
        assertThat(((org.hl7.fhir.r4.model.OperationOutcome) refused.getOutcome()).getIssueFirstRep().getDiagnostics()).contains("performedPeriod.end");
        long patient = Long.parseLong(response.getEntry().get(0).getResponse().getLocation().replaceAll("\\D+", ""));
        assertThat(count("procedure_record where patient_id = " + patient)).isEqualTo(1);

        fixtures().careFor(patient, "physician");
        var served = client("physician").read().resource(org.hl7.fhir.r4.model.Procedure.class).withUrl(location).execute();
        assertThat(RoundTrip.compare(instant, served)).isEmpty();
        assertThat(served.getPerformedDateTimeType().getValueAsString()).isEqualTo("2021-06-03T10:15:00+02:00");
        assertThat(served.getPerformerFirstRep().getActor().getDisplay()).isEqualTo("Dr. Ada Lovelace");
        assertThat(served.getPerformerFirstRep().getActor().getType()).isEqualTo("Practitioner");
    }

    @Test
    @Order(12)
    void proceduresAndImmunizationsAreReadOnlyByWhoeverCaresForThePatient() throws IOException {
        Bundle request = parse(file("Joyce806"));
        long patient = single(patientsWhere(i -> "Funk".equals(i.birthFamilyName()) && "Joyce".equals(i.givenNames())));
        long procedure = jdbc.sql("select min(id) from procedure_record where patient_id = ?").param(patient).query(Long.class).single();
        long immunization = jdbc.sql("select min(id) from immunization where patient_id = ?").param(patient).query(Long.class).single();

        long denied = count("audit_entry where actor_username = 'er.physician' and patient_id = " + patient
                + " and resource_type in ('Procedure', 'Immunization') and decision = 'DENY'");
        for (String path : List.of("/fhir/Procedure/" + procedure, "/fhir/Immunization/" + immunization,
                "/fhir/Procedure?patient=Patient/" + patient, "/fhir/Immunization?patient=Patient/" + patient)) {
            Api.Response refused = as("er.physician").get(path);
            assertThat(refused.status()).as(path + " " + refused).isEqualTo(403);
            assertThat(refused.body()).contains("OperationOutcome").doesNotContain("cvx").doesNotContain("snomed");
        }
        assertThat(count("audit_entry where actor_username = 'er.physician' and patient_id = " + patient
                + " and resource_type in ('Procedure', 'Immunization') and decision = 'DENY'")).isEqualTo(denied + 4);

        fixtures().careFor(patient, "physician");
        IGenericClient fhir = client("physician");
        Api.Response read = as("physician").get("/fhir/Procedure/" + procedure);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.header("Last-Modified")).isNotNull();
        assertThat(count("audit_entry where actor_username = 'physician' and patient_id = " + patient + " and resource_type = 'Procedure'"
                + " and resource_id = '" + procedure + "' and decision = 'ALLOW'")).isPositive();

        List<org.hl7.fhir.r4.model.Procedure> procedures = search(fhir, org.hl7.fhir.r4.model.Procedure.class, patient);
        List<org.hl7.fhir.r4.model.Immunization> immunizations = search(fhir, org.hl7.fhir.r4.model.Immunization.class, patient);
        Map<String, Long> sent = request.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .collect(Collectors.groupingBy(Resource::fhirType, Collectors.counting()));
        assertThat(procedures).hasSize(sent.get("Procedure").intValue());
        assertThat(immunizations).hasSize(sent.get("Immunization").intValue());

        // By date, with prefixes: the vaccines given on or after the latest one's day, and strictly before it.
        var latest = immunizations.stream().map(i -> i.getOccurrenceDateTimeType().getValueAsString().substring(0, 10)).max(String::compareTo).orElseThrow();
        long onOrAfter = immunizations.stream().filter(i -> i.getOccurrenceDateTimeType().getValueAsString().substring(0, 10).compareTo(latest) >= 0).count();
        assertThat(fhir.search().forResource(org.hl7.fhir.r4.model.Immunization.class).where(new ReferenceClientParam("patient").hasId("Patient/" + patient))
                .and(org.hl7.fhir.r4.model.Immunization.DATE.afterOrEquals().day(latest)).returnBundle(Bundle.class).execute().getEntry()).hasSize((int) onOrAfter);
        assertThat(fhir.search().forResource(org.hl7.fhir.r4.model.Immunization.class).where(new ReferenceClientParam("patient").hasId("Patient/" + patient))
                .and(org.hl7.fhir.r4.model.Immunization.DATE.before().day(latest)).returnBundle(Bundle.class).execute().getEntry())
                .hasSize(immunizations.size() - (int) onOrAfter);
        Api.Response since = as("physician").get("/fhir/Procedure?patient=Patient/" + patient + "&date=gt2999-01-01");
        assertThat(since.status()).isEqualTo(200);
        assertThat(since.body()).contains("\"total\":0");

        List<org.hl7.fhir.instance.model.api.IBaseResource> served = new java.util.ArrayList<>(procedures);
        served.addAll(immunizations);
        assertThat(FhirApiTest.validationErrors(served)).as("procedures and immunizations as served validate").isEmpty();

        // The chart shows them on the problems tab, under the tab's one decision.
        long entries = count("audit_entry where actor_username = 'physician' and patient_id = " + patient);
        Api.Response chart = org.dossier.support.BrowserSession.signedIn(port, "physician").page("/patients/" + patient + "?tab=problems");
        assertThat(chart.status()).isEqualTo(200);
        assertThat(chart.body()).contains("id=\"procedures\"", "id=\"immunizations\"")
                .contains(org.springframework.web.util.HtmlUtils.htmlEscape(procedures.get(0).getCode().getText()))
                .contains(org.springframework.web.util.HtmlUtils.htmlEscape(immunizations.get(0).getVaccineCode().getText()));
        assertThat(count("audit_entry where actor_username = 'physician' and patient_id = " + patient) - entries).isEqualTo(1);

        var cs = fhir.capabilities().ofType(org.hl7.fhir.r4.model.CapabilityStatement.class).execute();
        Map<String, List<String>> params = new java.util.HashMap<>();
        cs.getRestFirstRep().getResource().forEach(r -> params.put(r.getType(), r.getSearchParam().stream().map(x -> x.getName()).toList()));
        assertThat(params.get("Procedure")).as("the CapabilityStatement lists them").contains("patient", "date");
        assertThat(params.get("Immunization")).contains("patient", "date");
    }

    @Test
    @Order(5)
    void importedPatientsReadBackWithTheirHistoryByAClinicianCaringForThem() throws IOException {
        Path file = file("Joyce806");
        Bundle request = parse(file);
        Patient source = (Patient) request.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(r -> r instanceof Patient).findFirst().orElseThrow();
        long patient = single(patientsWhere(i -> "Funk".equals(i.birthFamilyName()) && "Joyce".equals(i.givenNames())));
        fixtures().careFor(patient, "physician");
        IGenericClient fhir = client("physician");

        Patient read = fhir.read().resource(Patient.class).withId(Long.toString(patient)).execute();
        assertThat(read.getName()).as("no digits in names").allMatch(n -> n.getFamily().equals("Funk") || !n.getFamily().matches(".*\\d.*"));
        assertThat(read.getBirthDateElement().getValueAsString()).isEqualTo(source.getBirthDateElement().getValueAsString());
        assertThat(read.getTelecom()).allMatch(t -> !t.getSystem().toCode().equals("phone") || t.getValue().startsWith("+1"));

        Map<String, Long> sent = request.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .collect(Collectors.groupingBy(Resource::fhirType, Collectors.counting()));
        assertThat(search(fhir, AllergyIntolerance.class, patient)).hasSize(sent.getOrDefault("AllergyIntolerance", 0L).intValue());
        assertThat(search(fhir, Condition.class, patient)).hasSize(sent.get("Condition").intValue());
        assertThat(search(fhir, MedicationRequest.class, patient)).hasSize(sent.getOrDefault("MedicationRequest", 0L).intValue());
        List<Encounter> encounters = search(fhir, Encounter.class, patient);
        assertThat(encounters).hasSize(sent.get("Encounter").intValue());
        Encounter one = fhir.read().resource(Encounter.class).withId(encounters.get(0).getIdElement().getIdPart()).execute();
        assertThat(one.getParticipantFirstRep().getIndividual().getDisplay()).doesNotContainPattern("\\d");
        List<Condition> conditions = search(fhir, Condition.class, patient);
        assertThat(conditions).anyMatch(c -> c.getCode().getCodingFirstRep().getSystem().equals("http://snomed.info/sct"));
        Bundle vitals = fhir.search().forResource(Observation.class).where(new ReferenceClientParam("patient").hasId("Patient/" + patient))
                .returnBundle(Bundle.class).execute();
        assertThat(vitals.getEntry()).as("the observations, newest first").isNotEmpty();

        List<org.hl7.fhir.instance.model.api.IBaseResource> served = new java.util.ArrayList<>(List.of(read, one));
        served.addAll(conditions);
        served.addAll(search(fhir, AllergyIntolerance.class, patient));
        served.addAll(search(fhir, MedicationRequest.class, patient));
        vitals.getEntry().forEach(e -> served.add(e.getResource()));
        assertThat(FhirApiTest.validationErrors(served)).as("imported records as served validate").isEmpty();
    }

    @Test
    @Order(6)
    void longResultsArePagedByTwentyAndAPageIsServedOnlyToWhoeverSearched() {
        long patient = single(patientsWhere(i -> "Glover".equals(i.birthFamilyName()) && i.givenNames().startsWith("Willian")));
        fixtures().careFor(patient, "physician");
        IGenericClient fhir = client("physician");
        Bundle first = fhir.search().forResource(Encounter.class).where(new ReferenceClientParam("patient").hasId("Patient/" + patient))
                .returnBundle(Bundle.class).execute();
        assertThat(first.getEntry()).hasSize(20);
        assertThat(first.getLink(Bundle.LINK_NEXT)).isNotNull();
        assertThat(search(fhir, Encounter.class, patient)).hasSize(89);

        String next = first.getLink(Bundle.LINK_NEXT).getUrl();
        String path = next.substring(next.indexOf("/fhir"));
        Api.Response stolen = as("frontdesk").get(path);
        assertThat(stolen.status()).as(stolen.toString()).isEqualTo(410);
        assertThat(stolen.body()).contains("OperationOutcome");
        assertThat(as("physician").get(path).status()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void theImportingAdministratorCannotReadWhatWasImported() {
        long patient = single(patientsWhere(i -> "Beatty".equals(i.birthFamilyName()) && i.givenNames().startsWith("Brent")));
        Api.Response read = as("admin").get("/fhir/Patient/" + patient);
        assertThat(read.status()).isEqualTo(403);
        assertThat(as("admin").get("/fhir/Condition?patient=Patient/" + patient).status()).isEqualTo(403);
    }

    @Test
    @Order(8)
    void anImportCannotWriteToAPatientItDidNotRegister() {
        long existing = fixtures().patient();
        long observations = count("observation");
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        o.setSubject(new Reference("Patient/" + existing));
        o.setValue(new org.hl7.fhir.r4.model.Quantity().setValue(70).setUnit("/min").setCode("/min"));
        o.setEffective(new org.hl7.fhir.r4.model.DateTimeType(java.util.Date.from(java.time.Instant.now().minusSeconds(60))));
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        bundle.addEntry().setResource(o).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        Api.Response refused = as("admin").postRaw("/fhir", "application/fhir+json", FHIR.newJsonParser().encodeResourceToString(bundle),
                Map.of("X-Dossier-Facility", "1"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.body()).contains("not registered by this import");
        assertThat(count("observation")).isEqualTo(observations);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and reason_code = 'IMPORT_SCOPE' and decision = 'DENY'")
                .param(existing).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    @Order(9)
    void importingTheSamePatientAgainAnswersAsForANewOneAndQueuesTheMatchForTheFrontDesk() throws IOException {
        // The answer must not tell the importer that the person is already here (ADR 0022): the record is registered
        // again, and the pair waits in the front desk's duplicate review queue.
        long first = patientsWhere(i -> "Beatty".equals(i.birthFamilyName()) && i.givenNames().startsWith("Brent")).get(0);
        long before = count("patient");
        Api.Response again = importFile("admin", file("Brent147"));
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(count("patient")).isEqualTo(before + 1);
        assertThat(jdbc.sql("select count(*) from duplicate_review where candidate_id = ? and outcome is null").param(first)
                .query(Long.class).single()).isEqualTo(1);
    }

    private static <T extends org.hl7.fhir.instance.model.api.IBaseResource> List<T> search(IGenericClient fhir, Class<T> type, long patient) {
        Bundle bundle = fhir.search().forResource(type).where(new ReferenceClientParam("patient").hasId("Patient/" + patient))
                .returnBundle(Bundle.class).execute();
        List<T> all = new java.util.ArrayList<>(bundle.getEntry().stream().map(e -> type.cast(e.getResource())).toList());
        while (bundle.getLink(Bundle.LINK_NEXT) != null) {
            bundle = fhir.loadPage().next(bundle).execute();
            bundle.getEntry().forEach(e -> all.add(type.cast(e.getResource())));
        }
        return all;
    }

    @Test
    @Order(10)
    void hapisClientSendsATransactionAndABatchKeepsWhatTheRecordAccepts() {
        org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
        p.addName().setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).setFamily("Transactova").addGiven("Ines");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1990-05-17"));
        Condition c = new Condition();
        c.setSubject(new Reference("urn:uuid:6f1c1e0e-0000-4000-8000-000000000001"));
        c.getCode().setText("Asthma").addCoding().setSystem("http://snomed.info/sct").setCode("195967001");
        Observation implausible = new Observation();
        implausible.setStatus(Observation.ObservationStatus.FINAL);
        implausible.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        implausible.setSubject(new Reference("urn:uuid:6f1c1e0e-0000-4000-8000-000000000001"));
        implausible.setValue(new org.hl7.fhir.r4.model.Quantity().setValue(900).setUnit("/min").setCode("/min"));
        implausible.setEffective(new org.hl7.fhir.r4.model.DateTimeType(java.util.Date.from(java.time.Instant.now().minusSeconds(600))));
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().setFullUrl("urn:uuid:6f1c1e0e-0000-4000-8000-000000000001").setResource(p).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        batch.addEntry().setResource(c).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Condition");
        batch.addEntry().setResource(implausible).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        long existing = fixtures().patient();
        Condition elsewhere = c.copy();
        elsewhere.setSubject(new Reference("Patient/" + existing));
        batch.addEntry().setResource(elsewhere).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Condition");

        Bundle response = client("admin").transaction().withBundle(batch).withAdditionalHeader("X-Dossier-Facility", "1").execute();
        assertThat(response.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
        assertThat(response.getEntry().get(0).getResponse().getStatus()).isEqualTo("201 Created");
        assertThat(response.getEntry().get(0).getResponse().getLocation()).startsWith("Patient/");
        assertThat(response.getEntry().get(1).getResponse().getLocation()).startsWith("Condition/");
        var refused = response.getEntry().get(2).getResponse();
        assertThat(refused.getStatus()).startsWith("422");
        assertThat(((org.hl7.fhir.r4.model.OperationOutcome) refused.getOutcome()).getIssueFirstRep().getDiagnostics()).contains("value");
        long patient = Long.parseLong(response.getEntry().get(0).getResponse().getLocation().replaceAll("\\D+", ""));
        assertThat(jdbc.sql("select count(*) from problem where patient_id = ? and code_system = 'SNOMED-CT'").param(patient)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from observation where patient_id = ?").param(patient).query(Long.class).single()).isZero();
        assertThat(response.getEntry().get(3).getResponse().getStatus()).as("an existing patient, in a batch").startsWith("403");
        assertThat(jdbc.sql("select count(*) from problem where patient_id = ?").param(existing).query(Long.class).single()).isZero();
    }

    /**
     * What the shared Synthea set does not exercise: a fever in °F, a weight in lb and a height in inches are kept in
     * the record's units with the values as measured beside them; a unit that does not convert is refused with its
     * reason; an order stopped at the source is stopped here — never listed as active, over REST or FHIR — and an order
     * on hold keeps that status.
     */
    @Test
    @Order(11)
    void unitsAreConvertedKeepingTheMeasuredValueAndStoppedOrdersAreNeverActive() {
        String patientUrl = "urn:uuid:6f1c1e0e-0000-4000-8000-0000000000f1";
        Patient p = new Patient();
        p.addName().setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).setFamily("Fahrenheitova").addGiven("Ulla");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1961-02-03"));
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().setFullUrl(patientUrl).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        batch.addEntry().setResource(measured(patientUrl, "8310-5", "101.42", "[degF]", "degF")).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        batch.addEntry().setResource(measured(patientUrl, "29463-7", "150", "[lb_av]", "lb")).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        batch.addEntry().setResource(measured(patientUrl, "8302-2", "70", "[in_i]", "in")).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        batch.addEntry().setResource(measured(patientUrl, "8310-5", "38", "mg", "mg")).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        batch.addEntry().setResource(order(patientUrl, MedicationRequest.MedicationRequestStatus.STOPPED, "Simvastatin 10 MG Oral Tablet", "314231"))
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("MedicationRequest");
        batch.addEntry().setResource(order(patientUrl, MedicationRequest.MedicationRequestStatus.ACTIVE, "Lisinopril 10 MG Oral Tablet", "314076"))
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("MedicationRequest");
        batch.addEntry().setResource(order(patientUrl, MedicationRequest.MedicationRequestStatus.ONHOLD, "Metformin 500 MG Oral Tablet", "860975"))
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("MedicationRequest");

        Bundle response = client("admin").transaction().withBundle(batch).withAdditionalHeader("X-Dossier-Facility", "1").execute();
        List<Bundle.BundleEntryResponseComponent> answers = response.getEntry().stream().map(Bundle.BundleEntryComponent::getResponse).toList();
        assertThat(answers.subList(0, 4)).allMatch(a -> a.getStatus().startsWith("201"));
        assertThat(answers.get(4).getStatus()).startsWith("422");
        assertThat(((org.hl7.fhir.r4.model.OperationOutcome) answers.get(4).getOutcome()).getIssueFirstRep().getDiagnostics()).contains("Cel");
        long patient = Long.parseLong(answers.get(0).getLocation().replaceAll("\\D+", ""));
        fixtures().careFor(patient, "physician");
        IGenericClient fhir = client("physician");

        Observation fever = fhir.read().resource(Observation.class).withUrl(answers.get(1).getLocation()).execute();
        assertThat(fever.getValueQuantity().getCode()).isEqualTo("Cel");
        assertThat(fever.getValueQuantity().getValue()).isEqualByComparingTo("38.567");
        org.hl7.fhir.r4.model.Quantity asMeasured = (org.hl7.fhir.r4.model.Quantity) fever.getValueQuantity().getExtensionByUrl(RoundTrip.ORIGINAL).getValue();
        assertThat(asMeasured.getValue()).isEqualByComparingTo("101.42");
        assertThat(asMeasured.getCode()).isEqualTo("[degF]");
        assertThat(fhir.read().resource(Observation.class).withUrl(answers.get(2).getLocation()).execute().getValueQuantity().getValue())
                .isEqualByComparingTo("68.039");
        Observation height = fhir.read().resource(Observation.class).withUrl(answers.get(3).getLocation()).execute();
        assertThat(height.getValueQuantity().getValue()).isEqualByComparingTo("177.8");
        assertThat(height.getValueQuantity().getCode()).isEqualTo("cm");

        MedicationRequest stopped = fhir.read().resource(MedicationRequest.class).withUrl(answers.get(5).getLocation()).execute();
        assertThat(stopped.getStatus()).isEqualTo(MedicationRequest.MedicationRequestStatus.STOPPED);
        assertThat(stopped.getAuthoredOnElement().getValueAsString()).isEqualTo("2019-04-02T10:15:00+02:00");
        assertThat(stopped.getMedicationCodeableConcept().getCoding()).anyMatch(c -> c.getSystem().equals("http://www.nlm.nih.gov/research/umls/rxnorm")
                && c.getCode().equals("314231"));
        assertThat(fhir.read().resource(MedicationRequest.class).withUrl(answers.get(7).getLocation()).execute().getStatus())
                .isEqualTo(MedicationRequest.MedicationRequestStatus.ONHOLD);
        Api.Response active = as("physician").get("/api/patients/" + patient + "/prescriptions?activeOnly=true");
        assertThat(active.status()).isEqualTo(200);
        assertThat(active.json().size()).as(active.body()).isEqualTo(1);
        assertThat(active.json().get(0).get("drug").asString()).startsWith("Lisinopril");
        Api.Response chart = as("physician").get("/api/patients/" + patient + "/chart");
        assertThat(chart.status()).as(chart.toString()).isEqualTo(200);
        assertThat(chart.json().get("activePrescriptions").size()).as(chart.body()).isEqualTo(1);
        assertThat(chart.json().get("activePrescriptions").get(0).get("drug").asString()).startsWith("Lisinopril");
    }

    private static Observation measured(String patient, String loinc, String value, String ucum, String unit) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.addCategory().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/observation-category").setCode("vital-signs");
        o.getCode().addCoding().setSystem("http://loinc.org").setCode(loinc);
        o.setSubject(new Reference(patient));
        o.setEffective(new org.hl7.fhir.r4.model.DateTimeType("2024-03-01T08:30:00+01:00"));
        o.setValue(new org.hl7.fhir.r4.model.Quantity().setValue(new java.math.BigDecimal(value)).setUnit(unit)
                .setSystem("http://unitsofmeasure.org").setCode(ucum));
        return o;
    }

    private static MedicationRequest order(String patient, MedicationRequest.MedicationRequestStatus status, String drug, String rxnorm) {
        MedicationRequest m = new MedicationRequest();
        m.setStatus(status);
        m.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        m.setMedication(new org.hl7.fhir.r4.model.CodeableConcept().setText(drug)
                .addCoding(new org.hl7.fhir.r4.model.Coding("http://www.nlm.nih.gov/research/umls/rxnorm", rxnorm, drug)));
        m.setSubject(new Reference(patient));
        m.setAuthoredOnElement(new org.hl7.fhir.r4.model.DateTimeType("2019-04-02T10:15:00+02:00"));
        m.setRequester(new Reference().setDisplay("Dr. Ada Lovelace"));
        return m;
    }

    /** The one patient a condition on the opened identity finds (the registry's columns are sealed). */
    private static long single(java.util.List<Long> ids) {
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }
}
