package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.care.StayService;
import org.dossier.chart.ChartService;
import org.dossier.clinical.ObservationService;
import org.dossier.organization.Actor;
import org.dossier.patient.PatientService;
import org.dossier.prescribing.PrescriptionService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code _include} and {@code _revinclude} inside one patient's compartment. A search that asks for them opens the
 * patient's chart once (one gateway decision, audited and charged as opening the chart), reads its matches under that
 * decision, and each included resource under the same one: no second door. What the decision does not grant, what
 * lies outside the compartment (a requester is a Practitioner of the directory) and what the record does not link
 * is left out and reported in an OperationOutcome entry.
 */
@Component
class CompartmentIncludes {

    private final ChartService chart;
    private final PatientService patients;
    private final StayService stays;
    private final PrescriptionService prescriptions;
    private final ObservationService observations;

    /** The received types (ADR 0026) searched by {@code patient}: their compartment include is {@code <type>:patient}. */
    private static final Set<String> BY_PATIENT = Set.of("AllergyIntolerance", "DiagnosticReport", "CarePlan", "Device", "Provenance",
            "ImagingStudy", "MedicationAdministration", "SupplyDelivery");
    private static final java.util.regex.Pattern OBSERVATION = java.util.regex.Pattern.compile("Observation/(\\d{1,18})");

    CompartmentIncludes(ChartService chart, PatientService patients, StayService stays, PrescriptionService prescriptions,
                        ObservationService observations) {
        this.chart = chart;
        this.patients = patients;
        this.stays = stays;
        this.prescriptions = prescriptions;
        this.observations = observations;
    }

    /** The records a search starts from, and the decision they were read under (null when no include was asked). */
    record Found<T>(List<T> records, PatientAccess access) {
    }

    static boolean asked(Set<Include> include, Set<Include> revinclude) {
        return include != null && !include.isEmpty() || revinclude != null && !revinclude.isEmpty();
    }

    /**
     * Without includes, the service's own decision ({@code alone}); with them, the chart opened once and the records read
     * under it ({@code under}), so that the included resources need no other decision.
     */
    <T> Found<T> records(Actor actor, long patientId, Set<Include> include, Set<Include> revinclude,
                         Function<PatientAccess, List<T>> under, Supplier<List<T>> alone) {
        if (!asked(include, revinclude)) {
            return new Found<>(alone.get(), null);
        }
        PatientAccess access = chart.open(actor, patientId);
        return new Found<>(under.apply(access), access);
    }

    /**
     * The matches, then the resources the includes name (each once, search mode {@code include}); includes that cannot be
     * served are reported on {@code request}.
     */
    List<IBaseResource> with(Found<?> found, String type, List<? extends Resource> matches, Set<Include> include,
                             Set<Include> revinclude, RequestDetails request) {
        List<IBaseResource> all = new ArrayList<>(matches);
        if (found.access() == null) {
            return all;
        }
        // Told apart from the included resources, as the spec asks of a searchset that has both.
        matches.forEach(m -> ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(m, BundleEntrySearchModeEnum.MATCH));
        PatientAccess access = found.access();
        Map<String, Resource> included = new LinkedHashMap<>();
        List<String> appliedIncludes = new ArrayList<>();
        List<String> appliedRevincludes = new ArrayList<>();
        for (Include inc : include == null ? Set.<Include>of() : include) {
            include(inc, type, access, matches, included, appliedIncludes, request);
        }
        for (Include inc : revinclude == null ? Set.<Include>of() : revinclude) {
            revinclude(inc, type, access, matches, included, appliedRevincludes, request);
        }
        for (Resource r : included.values()) {
            if (!SmartScopes.covers(r.fhirType())) {
                RestSemantics.ignoredInclude(request, "_include of " + r.fhirType(), "this app's scopes do not cover " + r.fhirType());
                continue;
            }
            ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(r, BundleEntrySearchModeEnum.INCLUDE);
            all.add(r);
        }
        tellApplied(include, appliedIncludes, appliedRevincludes, request);
        return all;
    }

    /** One {@code _include}: the patient (identity permitting), a report's results, an order's stays; else reported as ignored. */
    private void include(Include inc, String type, PatientAccess access, List<? extends Resource> matches, Map<String, Resource> included,
                         List<String> appliedIncludes, RequestDetails request) {
        String source = inc.getParamType();
        String param = inc.getParamName();
        boolean everything = "*".equals(inc.getValue());
        if (!everything && (source == null || param == null || !("*".equals(source) || type.equals(source)))) {
            RestSemantics.ignoredInclude(request, "_include=" + inc.getValue(), "names no reference of " + type);
        } else if (everything || Set.of("patient", "subject", "*").contains(param)) {
            if (granted(access, Section.IDENTITY, request, "_include=" + inc.getValue(), "the identity")) {
                // Named by its type ("*:patient" becomes "<type>:patient"): HAPI's own include matching, run on the
                // answer, knows no "*" type, and the self link shows what was applied.
                appliedIncludes.add(everything ? "*" : type + ":patient");
                if (!matches.isEmpty()) {
                    Resource patient = PatientMapping.patient(patients.read(access));
                    included.putIfAbsent("Patient/" + patient.getIdElement().getIdPart(), patient);
                }
            }
            if ((everything || "*".equals(param)) && "MedicationRequest".equals(type)) {
                encounters(access, matches, included, request, inc);
            }
            if ((everything || "*".equals(param)) && "DiagnosticReport".equals(type)) {
                results(access, matches, included, request, inc);
            }
        } else if ("DiagnosticReport".equals(type) && "result".equals(param)) {
            if (results(access, matches, included, request, inc)) {
                appliedIncludes.add(inc.getValue());
            }
        } else if ("MedicationRequest".equals(type) && "encounter".equals(param)) {
            if (encounters(access, matches, included, request, inc)) {
                appliedIncludes.add(inc.getValue());
            }
        } else if ("MedicationRequest".equals(type) && "requester".equals(param)) {
            RestSemantics.ignoredInclude(request, "_include=" + inc.getValue(),
                    "the requester is a Practitioner of the directory, outside the patient's compartment: read it by its reference");
        } else {
            RestSemantics.ignoredInclude(request, "_include=" + inc.getValue(), "not offered on " + type
                    + " (offered: *:patient, " + type + ":" + (BY_PATIENT.contains(type) ? "patient" : "subject")
                    + ("MedicationRequest".equals(type) ? ", MedicationRequest:encounter" : "")
                    + ("DiagnosticReport".equals(type) ? ", DiagnosticReport:result" : "") + ")");
        }
    }

    /** One {@code _revinclude}: only the orders of the stays found (Encounter?_revinclude=MedicationRequest:encounter). */
    private void revinclude(Include inc, String type, PatientAccess access, List<? extends Resource> matches,
                            Map<String, Resource> included, List<String> appliedRevincludes, RequestDetails request) {
        if ("Encounter".equals(type) && "MedicationRequest:encounter".equals(inc.getValue())) {
            if (!granted(access, Section.PRESCRIPTIONS, request, "_revinclude=" + inc.getValue(), "prescriptions")) {
                return;
            }
            appliedRevincludes.add(inc.getValue());
            Set<String> stays = new java.util.HashSet<>();
            matches.forEach(m -> stays.add("Encounter/" + m.getIdElement().getIdPart()));
            for (var order : prescriptions.ofPatient(access, false)) {
                MedicationRequest r = MedicationRequestProvider.medicationRequest(order);
                if (r.hasEncounter() && stays.contains(r.getEncounter().getReference())) {
                    included.putIfAbsent("MedicationRequest/" + r.getIdElement().getIdPart(), r);
                }
            }
        } else {
            RestSemantics.ignoredInclude(request, "_revinclude=" + inc.getValue(), "not offered on " + type
                    + ": the record links only orders to stays (Encounter?_revinclude=MedicationRequest:encounter)");
        }
    }

    /** Whether the access covers {@code section}; if not, the include is reported as ignored, saying what it lacks. */
    private static boolean granted(PatientAccess access, Section section, RequestDetails request, String include, String what) {
        if (access.permits(section)) {
            return true;
        }
        RestSemantics.ignoredInclude(request, include, "your access to this patient does not include " + what);
        return false;
    }

    /** HAPI and the self link are told the includes applied, each named by its type. */
    private static void tellApplied(Set<Include> include, List<String> appliedIncludes, List<String> appliedRevincludes,
                                    RequestDetails request) {
    // HAPI matches the answer's references against the include set it passed in (and knows no "*" type): it gets
    // what was applied, named by type.
    if (include != null) {
        include.clear();
        appliedIncludes.stream().distinct().forEach(i -> include.add(new Include(i)));
    }
    if (request != null) {
        Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameters());
        parameters.keySet().removeIf(k -> k.startsWith("_include") || k.startsWith("_revinclude"));
        if (!appliedIncludes.isEmpty()) {
            parameters.put("_include", appliedIncludes.stream().distinct().toArray(String[]::new));
        }
        if (!appliedRevincludes.isEmpty()) {
            parameters.put("_revinclude", appliedRevincludes.stream().distinct().toArray(String[]::new));
        }
        request.setParameters(parameters);
    }
    }

    /**
     * A report's results: the observations kept here that its {@code result} names, the patient's own only (a reference
     * to anyone else's finds nothing), read under the same decision. Whether they were included (the access grants them).
     */
    private boolean results(PatientAccess access, List<? extends Resource> matches, Map<String, Resource> included, RequestDetails request,
                            Include inc) {
        if (!granted(access, Section.CLINICAL, request, "_include=" + inc.getValue(), "the clinical record")) {
            return false;
        }
        Set<Long> wanted = new LinkedHashSet<>();
        for (String ref : referenced(matches, DiagnosticReport.class, DiagnosticReport::getResult)) {
            var found = OBSERVATION.matcher(ref == null ? "" : ref);
            if (found.matches()) {
                wanted.add(Long.parseLong(found.group(1)));
            }
        }
        observations.among(access, wanted).forEach(o -> included.putIfAbsent("Observation/" + o.id(), ObservationProvider.observation(o)));
        return true;
    }

    /** What the matches of {@code type} refer to through {@code references} (a reference without its text as null), in order. */
    private static <R extends Resource> Set<String> referenced(List<? extends Resource> matches, Class<R> type,
                                                               Function<R, List<Reference>> references) {
        Set<String> found = new LinkedHashSet<>();
        matches.stream().filter(type::isInstance).map(type::cast).flatMap(r -> references.apply(r).stream())
                .forEach(ref -> found.add(ref.getReference()));
        return found;
    }

    /** Whether the stays were included (the access grants them). */
    private boolean encounters(PatientAccess access, List<? extends Resource> matches, Map<String, Resource> included, RequestDetails request,
                            Include inc) {
        if (!granted(access, Section.ENCOUNTERS, request, "_include=" + inc.getValue(), "the stays")) {
            return false;
        }
        Set<String> wanted = referenced(matches, MedicationRequest.class, r -> r.hasEncounter() ? List.of(r.getEncounter()) : List.of());
        if (wanted.isEmpty()) {
            return true;
        }
        for (var stay : stays.ofPatient(access)) {
            Encounter e = EncounterProvider.encounter(stay);
            String ref = "Encounter/" + e.getIdElement().getIdPart();
            if (wanted.contains(ref)) {
                included.putIfAbsent(ref, e);
            }
        }
        return true;
    }
}
