package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A whole client journey with HAPI's generic client, as an integrating system makes it: the CapabilityStatement, then,
 * for one imported Synthea patient, every resource type the statement serves in the patient's compartment — every
 * page of its search, a read, a vread and the history of what it finds — and every search parameter the statement
 * declares, with a value taken from a resource served (so a parameter that is declared but not applied fails: the
 * resource it came from must be found), plus $everything, _include, _summary, _elements, _sort, and the errors a
 * client meets. Every answer the client received, errors included, goes through HAPI's validator: zero errors.
 */
// A server of its own: the journey imports a Synthea directory (hospitals, practitioners) that FhirImportTest expects to
// import first in the shared context.
@org.springframework.test.context.TestPropertySource(properties = "dossier.test.server=journey")
class FhirClientJourneyTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    /** A patient of the shared Synthea set with a bit of everything (allergies, procedures, devices, imaging...). */
    private static final String PATIENT_FILE = "Ulysses632";
    private static final Set<String> IMPORTED_TYPES = Set.of("AllergyIntolerance", "Condition", "Encounter", "Immunization",
            "MedicationRequest", "Observation", "Procedure", "DiagnosticReport", "DocumentReference", "CarePlan", "Device", "ImagingStudy",
            "MedicationAdministration", "SupplyDelivery", "Provenance");

    /** Every FHIR answer the client received, as the server sent it. */
    private final List<String> received = new ArrayList<>();

    private IGenericClient client(String username) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(as(username).token()));
        client.registerInterceptor(new IClientInterceptor() {
            @Override
            public void interceptRequest(IHttpRequest request) {
            }

            @Override
            public void interceptResponse(IHttpResponse response) throws IOException {
                response.bufferEntity();
                try (InputStream in = response.readEntity()) {
                    if (in != null) {
                        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        if (body.startsWith("{")) {
                            received.add(body);
                        }
                    }
                }
            }
        });
        return client;
    }

    private Api.Response importFile(Path file) throws IOException {
        return as("admin").postRaw("/fhir", "application/fhir+json", Files.readString(file),
                Map.of("X-Dossier-Facility", "1", "X-Dossier-Import-Source", file.getFileName().toString()));
    }

    private static Path file(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(FhirImportTest.SYNTHEA)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static Bundle get(IGenericClient fhir, String url) {
        return fhir.search().byUrl(fhir.getServerBase() + "/" + url).returnBundle(Bundle.class).execute();
    }

    private static List<Resource> all(IGenericClient fhir, String url) {
        List<Resource> found = new ArrayList<>();
        Bundle page = get(fhir, url);
        while (true) {
            page.getEntry().stream().filter(e -> e.getSearch().getMode() != Bundle.SearchEntryMode.OUTCOME).forEach(e -> found.add(e.getResource()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            page = fhir.loadPage().next(page).execute();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void aWholeClientJourneyFindsWhatEveryDeclaredParameterPromisesAndEveryAnswerValidates() throws IOException {
        org.assertj.core.api.Assumptions.assumeThat(Files.isDirectory(FhirImportTest.SYNTHEA)).as("the shared Synthea set").isTrue();
        assertThat(importFile(file("hospitalInformation")).status()).isEqualTo(200);
        assertThat(importFile(file("practitionerInformation")).status()).isEqualTo(200);
        Api.Response imported = importFile(file(PATIENT_FILE));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        long patient = FHIR.newJsonParser().parseResource(Bundle.class, imported.body()).getEntry().stream()
                .map(e -> e.getResponse().getLocation()).filter(l -> l != null && l.startsWith("Patient/"))
                .map(l -> Long.parseLong(l.replaceAll("Patient/(\\d+).*", "$1"))).findFirst().orElseThrow();
        fixtures().careFor(patient, "physician");
        IGenericClient fhir = client("physician");

        CapabilityStatement capabilities = fhir.capabilities().ofType(CapabilityStatement.class).execute();
        Patient p = fhir.read().resource(Patient.class).withId(Long.toString(patient)).execute();
        fhir.read().resource(Patient.class).withId(p.getIdElement().toVersionless().withVersion(p.getMeta().getVersionId())).execute();
        fhir.history().onInstance("Patient/" + patient).returnBundle(Bundle.class).execute();
        HumanName name = p.getNameFirstRep();
        String birth = p.getBirthDateElement().getValueAsString();
        assertThat(get(fhir, "Patient?family=" + encode(name.getFamily()) + "&birthdate=" + birth).getEntry()).hasSize(1);
        assertThat(get(fhir, "Patient?family:exact=" + encode(name.getFamily()) + "&birthdate=" + birth).getEntry()).hasSize(1);
        assertThat(get(fhir, "Patient?family:contains=" + encode(name.getFamily().substring(1)) + "&birthdate=" + birth).getEntry()).hasSize(1);
        Identifier ipp = p.getIdentifier().stream().filter(i -> i.getSystem().startsWith(FhirCodes.IPP_SYSTEM)).findFirst().orElseThrow();
        assertThat(get(fhir, "Patient?identifier=" + encode(ipp.getSystem() + "|" + ipp.getValue())).getEntry()).hasSize(1);

        // The import is named by its content's hash, never by the file's name, which is the patient's (ADR 0053).
        String importName = ImportProvider.contentName(Files.readAllBytes(file(PATIENT_FILE)));
        Map<String, Integer> served = new TreeMap<>();
        Map<String, List<String>> parametersTried = new TreeMap<>();
        List<String> refused = new ArrayList<>();
        for (CapabilityStatement.CapabilityStatementRestResourceComponent type : capabilities.getRestFirstRep().getResource()) {
            Set<String> params = new TreeSet<>();
            type.getSearchParam().forEach(sp -> params.add(sp.getName()));
            if (type.getType().equals("Patient") || type.getType().equals("AuditEvent") || !params.contains("patient")) {
                continue;
            }
            List<Resource> found;
            try {
                found = all(fhir, type.getType() + "?patient=" + patient + "&_count=50");
            } catch (ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException e) {
                // Billing is not a physician's part of the record: the refusal is an answer (validated below) too.
                assertThat(e.getMessage()).contains("billing");
                refused.add(type.getType());
                continue;
            }
            served.put(type.getType(), found.size());
            if (found.isEmpty()) {
                continue;
            }
            if (IMPORTED_TYPES.contains(type.getType())) {
                assertThat(found).as(type.getType() + ": every imported record says where it came from (meta.source)").allSatisfy(r ->
                        assertThat(r.getMeta().getSource()).startsWith("urn:dossier:import:" + importName + "#urn:uuid:").doesNotContain(PATIENT_FILE));
            }
            Set<String> interactions = new TreeSet<>();
            type.getInteraction().forEach(i -> interactions.add(i.getCode().toCode()));
            // A versioned record where there is one (a patient's care team here is read as it is now, without versions).
            Resource first = found.stream().filter(r -> r.getMeta().hasVersionId()).findFirst().orElse(found.get(0));
            if (interactions.contains("read")) {
                fhir.read().resource(first.getClass()).withId(first.getIdElement().toUnqualifiedVersionless()).execute();
            }
            if (interactions.contains("vread") && first.getMeta().hasVersionId()) {
                fhir.read().resource(first.getClass()).withUrl(first.getIdElement().toUnqualifiedVersionless()
                        .withVersion(first.getMeta().getVersionId())).execute();
            }
            if (interactions.contains("history-instance") && first.getMeta().hasVersionId()) {
                fhir.history().onInstance(first.getIdElement().toUnqualifiedVersionless()).returnBundle(Bundle.class).execute();
            }
            for (String param : params) {
                if (param.equals("patient") || param.startsWith("_")) {
                    continue;
                }
                RuntimeSearchParam definition = FHIR.getResourceDefinition(type.getType()).getSearchParam(param);
                assertThat(definition).as(type.getType() + "?" + param + " is a parameter FHIR R4 defines").isNotNull();
                Resource with = null;
                String value = null;
                for (Resource r : found) {
                    value = searchValue(r, definition);
                    if (value != null) {
                        with = r;
                        break;
                    }
                }
                if (value == null) {
                    continue; // nothing of this patient carries it: it is exercised elsewhere (FhirSearchTest)
                }
                List<Resource> matching = all(fhir, type.getType() + "?patient=" + patient + "&" + param + "=" + encode(value) + "&_count=50");
                String id = with.getIdElement().getIdPart();
                assertThat(matching).as(type.getType() + "?" + param + "=" + value + " finds the resource the value came from")
                        .anySatisfy(r -> assertThat(r.getIdElement().getIdPart()).isEqualTo(id));
                parametersTried.computeIfAbsent(type.getType(), t -> new ArrayList<>()).add(param);
            }
        }
        assertThat(served).as("the imported patient's record is served").containsKeys("AllergyIntolerance", "Condition", "Encounter",
                "Immunization", "MedicationRequest", "Observation", "Procedure", "DiagnosticReport", "DocumentReference", "CarePlan",
                "Device", "ImagingStudy", "MedicationAdministration", "SupplyDelivery", "Provenance");
        assertThat(parametersTried.values().stream().mapToInt(List::size).sum()).as(parametersTried.toString()).isGreaterThanOrEqualTo(15);

        // Result parameters and operations.
        List<Resource> sorted = all(fhir, "Observation?patient=" + patient + "&_sort=-date&_count=50");
        assertThat(sorted).isNotEmpty();
        get(fhir, "Observation?patient=" + patient + "&_summary=count");
        assertThat(get(fhir, "Condition?patient=" + patient + "&_elements=code").getEntry()).allSatisfy(e ->
                assertThat(((org.hl7.fhir.r4.model.Condition) e.getResource()).hasSubject()).as("mandatory elements are kept").isTrue());
        get(fhir, "MedicationRequest?patient=" + patient + "&_elements=authoredOn");
        fhir.read().resource(Patient.class).withId(Long.toString(patient)).elementsSubset("birthDate").execute();
        get(fhir, "MedicationRequest?patient=" + patient + "&_include=MedicationRequest:patient");
        get(fhir, "Encounter?patient=" + patient + "&_revinclude=MedicationRequest:encounter&_count=5");
        get(fhir, "AllergyIntolerance?patient=" + patient + "&_lastUpdated=ge2000-01-01");
        get(fhir, "Observation?patient=" + patient + "&category=vital-signs&unknown-parameter=1");
        List<Resource> everything = all(fhir, "Patient/" + patient + "/$everything?_count=50");
        assertThat(everything.size()).isGreaterThan(served.values().stream().mapToInt(Integer::intValue).sum() / 2);
        fhir.read().resource(Patient.class).withId(Long.toString(patient)).summaryMode(SummaryEnum.TEXT).execute();

        // The errors a client meets are FHIR answers too.
        assertThatThrownBy(() -> fhir.read().resource(Patient.class).withId("999999999").execute()).isInstanceOf(BaseServerResponseException.class);
        assertThatThrownBy(() -> get(fhir, "Observation?patient=" + patient + "&date=not-a-date")).isInstanceOf(BaseServerResponseException.class);
        assertThatThrownBy(() -> fhir.delete().resourceById("Patient", Long.toString(patient)).execute()).isInstanceOf(BaseServerResponseException.class);
        assertThatThrownBy(() -> fhir.operation().onInstance("Patient/" + patient).named("$unknown").withNoParameters(Parameters.class).execute())
                .isInstanceOf(BaseServerResponseException.class);

        // The security officer's view of the same patient: the trail of this journey, as AuditEvents.
        IGenericClient officer = client("security");
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString();
        assertThat(all(officer, "AuditEvent?date=ge" + today + "&date=lt" + tomorrow + "&patient=" + patient + "&_count=50"))
                .as("every access of this journey is in the trail").isNotEmpty();

        List<IBaseResource> answers = received.stream().map(json -> (IBaseResource) FHIR.newJsonParser().parseResource(json)).toList();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        answers.forEach(a -> kinds.merge(a.fhirType(), 1, Integer::sum));
        System.out.println("Client journey: " + answers.size() + " answers " + kinds + "; served " + served + "; refused to the role " + refused
                + "; parameters " + parametersTried);
        assertThat(answers.size()).isGreaterThan(50);
        assertThat(FhirValidation.errors(answers)).as("validator errors over the whole journey").isEmpty();
    }

    /**
     * A value to search {@code definition} with, taken from what {@code resource} carries at the parameter's path, in
     * the parameter's syntax (token {@code system|code}, date {@code eq<value>} or {@code ge<start>} for a period,
     * string as given); null if the resource carries none.
     */
    private static String searchValue(Resource resource, RuntimeSearchParam definition) {
        if (definition.getPath() == null || definition.getPath().isBlank()) {
            return null;
        }
        List<IBase> values;
        try {
            values = FHIR.newFhirPath().evaluate(resource, definition.getPath(), IBase.class);
        } catch (RuntimeException e) {
            return null;
        }
        for (IBase v : values) {
            String s = switch (definition.getParamType()) {
                case TOKEN -> v instanceof CodeableConcept c ? token(c.getCoding().stream().filter(Coding::hasCode).findFirst().orElse(null))
                        : v instanceof Coding c ? token(c)
                        : v instanceof Identifier i && i.hasValue() ? (i.hasSystem() ? i.getSystem() + "|" : "") + i.getValue()
                        : v instanceof Enumeration<?> e ? e.getValueAsString()
                        : v instanceof IPrimitiveType<?> prim ? prim.getValueAsString() : null;
                case DATE -> v instanceof BaseDateTimeType d && d.hasValue() ? "eq" + d.getValueAsString()
                        : v instanceof Period period && period.hasStart() ? "ge" + period.getStartElement().getValueAsString() : null;
                case STRING -> v instanceof StringType str ? str.getValue() : null;
                default -> null;
            };
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static String token(Coding c) {
        return c == null ? null : (c.hasSystem() ? c.getSystem() + "|" : "") + c.getCode();
    }
}
