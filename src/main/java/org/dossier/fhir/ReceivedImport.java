package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.dossier.clinical.ReceivedRecord;
import org.dossier.clinical.ReceivedRecordService;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SupplyDelivery;
import org.hl7.fhir.r4.model.Type;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The import of the records Dossier keeps as sent and does not act upon (ADR 0026): the resource is copied whole, its
 * references rewritten to what this import stored (the original reference kept as the reference's identifier, so the
 * source's ids stay known), and the few columns the chart and the searches read are taken from it. Called by
 * {@link BundleImport} once the records these refer to are stored.
 */
@Component
class ReceivedImport {

    /** The identifier system of a reference's original target when that was a URI (Synthea's {@code urn:uuid:…}). */
    static final String URI = "urn:ietf:rfc:3986";

    /** Active content in a narrative: never kept (a client rendering it would run it). */
    private static final Pattern ACTIVE = Pattern.compile("(?i)<\\s*(script|iframe|frame|object|embed|form|base|link|meta)\\b"
            + "|\\son[a-z]+\\s*=|javascript:|vbscript:|data:text/html");

    private final ReceivedRecordService records;
    private final FhirContext fhir;

    ReceivedImport(ReceivedRecordService records, FhirContext fhir) {
        this.records = records;
        this.fhir = fhir;
    }

    /**
     * Keeps {@code resource} for the patient it is about; answers its location here.
     *
     * @param stored   where this import stored each entry, by its fullUrl
     * @param inBundle the bundle's resources, by fullUrl (to name the type of a reference to one not stored)
     * @param patient  the patient of this import a reference names (refuses any other)
     */
    String keep(Actor actor, Resource resource, Map<String, String> stored, Map<String, Resource> inBundle, ToLongFunction<Reference> patient) {
        String type = resource.fhirType();
        Resource copy = resource.copy();
        Reference subject = subject(copy, stored);
        if (subject == null) {
            throw new UnprocessableEntityException(type + " names no patient of this bundle: it is kept only in a patient's record");
        }
        long patientId = patient.applyAsLong(subject);
        refuseActiveContent(copy);
        for (Reference r : fhir.newTerser().getAllPopulatedChildElementsOfType(copy, Reference.class)) {
            rewrite(r, stored, inBundle);
        }
        CodeableConcept code = code(copy);
        Coding first = code == null ? null : code.getCoding().stream().filter(Coding::hasCode).findFirst().orElse(null);
        var created = records.recordImported(actor, patientId, new ReceivedRecordService.ReceivedInput(type, status(copy), category(copy),
                first == null ? null : clip(first.getSystem(), 300), first == null ? null : clip(first.getCode(), 100), label(copy, code),
                occurredAt(copy), fhir.newJsonParser().encodeResourceToString(copy)));
        return type + "/" + created.fhirId();
    }

    /** The reference naming the patient the record is about (a provenance: the patient among its targets). */
    private static Reference subject(Resource r, Map<String, String> stored) {
        Reference s = reading(r).subject(r, stored);
        return s == null || !s.hasReference() ? null : s;
    }

    private static void rewrite(Reference r, Map<String, String> stored, Map<String, Resource> inBundle) {
        String original = r.getReference();
        if (original == null || original.startsWith("#")) {
            return;
        }
        // The parser linked references to the bundle's entries: unlinked, only what is written here is encoded.
        r.setResource(null);
        String location = stored.get(original);
        if (location != null) {
            r.setReference(location.replaceAll("/_history/.*$", ""));
            if (!r.hasIdentifier() && (original.startsWith("urn:") || original.startsWith("http"))) {
                r.setIdentifier(new Identifier().setSystem(URI).setValue(original));
            }
            return;
        }
        int q = original.indexOf("?identifier=");
        if (q > 0) {
            String[] token = original.substring(q + "?identifier=".length()).split("\\|", 2);
            r.setReference(null);
            r.setType(original.substring(0, q));
            if (!r.hasIdentifier()) {
                r.setIdentifier(token.length == 2 ? new Identifier().setSystem(token[0]).setValue(token[1]) : new Identifier().setValue(token[0]));
            }
            return;
        }
        if (original.matches("Patient/\\d{1,18}") || (original.startsWith("http") && !inBundle.containsKey(original))) {
            return; // a patient of this server, or a record another server holds: a reference that resolves as it is
        }
        Resource target = inBundle.get(original);
        r.setReference(null);
        if (target != null && !r.hasType()) {
            r.setType(target.fhirType());
        } else if (target == null && !r.hasType() && original.matches("[A-Z][A-Za-z]+/[^/]+")) {
            r.setType(original.substring(0, original.indexOf('/')));
        }
        if (!r.hasIdentifier()) {
            r.setIdentifier(new Identifier().setSystem(original.startsWith("urn:") ? URI : null).setValue(original));
        }
    }

    private static void refuseActiveContent(Resource r) {
        if (r instanceof DomainResource d) {
            if (d.hasText() && d.getText().hasDiv() && ACTIVE.matcher(d.getText().getDivAsString()).find()) {
                throw new InvalidInputException("text.div", "the narrative holds active content (a script, an event handler, a frame): not kept");
            }
            d.getContained().forEach(ReceivedImport::refuseActiveContent);
        }
    }

    private String status(Resource r) {
        if (fhir.getResourceDefinition(r).getChildByName("status") == null) {
            return null; // a provenance has none
        }
        var s = fhir.newTerser().getSinglePrimitiveValueOrNull(r, "status");
        return s == null ? null : clip(s, 100);
    }

    private static String category(Resource r) {
        List<CodeableConcept> categories = reading(r).read(r, Reading::categories);
        return categories.stream().flatMap(c -> c.getCoding().stream()).filter(Coding::hasCode).map(c -> clip(c.getCode(), 100))
                .findFirst().orElse(null);
    }

    /** What the record is, as a code: a report's code, a note's type, a drug given, a device's type… */
    private static CodeableConcept code(Resource r) {
        return reading(r).read(r, Reading::code);
    }

    private static String label(Resource r, CodeableConcept code) {
        String named = reading(r).read(r, Reading::name);
        if (named == null && code != null) {
            named = code.hasText() ? code.getText() : code.getCoding().stream().filter(Coding::hasDisplay).map(Coding::getDisplay).findFirst()
                    .orElse(code.getCoding().stream().filter(Coding::hasCode).map(Coding::getCode).findFirst().orElse(null));
        }
        if (named == null || named.isBlank()) {
            named = reading(r).read(r, Reading::unnamed);
        }
        return clip(named.strip(), 300);
    }

    /** When it happened, as an instant (the first moment of its date or period): what the chart and searches sort by. */
    private static Instant occurredAt(Resource r) {
        Type when = reading(r).read(r, Reading::when);
        if (when instanceof BaseDateTimeType d && d.getValue() != null) {
            return d.getValue().toInstant();
        }
        if (when instanceof Period p && p.hasStart()) {
            return p.getStart().toInstant();
        }
        return null;
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static boolean kept(String type) {
        return ReceivedRecord.TYPES.contains(type);
    }

    private static Reading<?> reading(Resource r) {
        Reading<?> reading = READINGS.get(r.fhirType());
        if (reading == null) {
            throw new IllegalArgumentException(r.fhirType());
        }
        return reading;
    }

    /** What the import reads off each type it keeps, by type: each said once, what a type lacks read as none. */
    private static final Map<String, Reading<?>> READINGS = Stream.<Reading<?>>of(
            new Reading<>(DiagnosticReport.class, (x, stored) -> x.getSubject(), DiagnosticReport::getCategory, DiagnosticReport::getCode,
                    x -> null, x -> x.hasEffective() ? x.getEffective() : x.getIssuedElement(), Resource::fhirType),
            new Reading<>(DocumentReference.class, (x, stored) -> x.getSubject(), DocumentReference::getCategory, DocumentReference::getType,
                    x -> x.hasDescription() ? x.getDescription() : null,
                    x -> x.hasDate() ? x.getDateElement() : x.hasContext() ? x.getContext().getPeriod() : null, Resource::fhirType),
            new Reading<>(CarePlan.class, (x, stored) -> x.getSubject(), CarePlan::getCategory,
                    x -> x.getCategory().stream().filter(c -> c.hasText()).findFirst().orElse(x.hasCategory() ? x.getCategoryFirstRep() : null),
                    x -> x.hasTitle() ? x.getTitle() : null, x -> x.hasPeriod() ? x.getPeriod() : x.getCreatedElement(), Resource::fhirType),
            new Reading<>(CareTeam.class, (x, stored) -> x.getSubject(), CareTeam::getCategory,
                    x -> x.hasCategory() ? x.getCategoryFirstRep() : null, x -> x.hasName() ? x.getName() : null, CareTeam::getPeriod,
                    Resource::fhirType),
            new Reading<>(Device.class, (x, stored) -> x.getPatient(), x -> List.of(), Device::getType,
                    x -> x.hasDeviceName() ? x.getDeviceNameFirstRep().getName() : null, x -> null, Resource::fhirType),
            new Reading<>(ImagingStudy.class, (x, stored) -> x.getSubject(),
                    x -> x.getModality().stream().map(c -> new CodeableConcept().addCoding(c)).toList(),
                    x -> x.hasProcedureCode() ? x.getProcedureCodeFirstRep() : null, x -> x.hasDescription() ? x.getDescription() : null,
                    ImagingStudy::getStartedElement, x -> "Imaging study"),
            new Reading<>(MedicationAdministration.class, (x, stored) -> x.getSubject(),
                    x -> x.hasCategory() ? List.of(x.getCategory()) : List.of(),
                    x -> x.hasMedicationCodeableConcept() ? x.getMedicationCodeableConcept() : null, x -> null,
                    MedicationAdministration::getEffective, Resource::fhirType),
            new Reading<>(SupplyDelivery.class, (x, stored) -> x.getPatient(), x -> List.of(),
                    x -> x.hasSuppliedItem() && x.getSuppliedItem().hasItemCodeableConcept() ? x.getSuppliedItem().getItemCodeableConcept() : null,
                    x -> null, SupplyDelivery::getOccurrence, Resource::fhirType),
            new Reading<>(Provenance.class, (x, stored) -> x.getTarget().stream().filter(t -> t.hasReference()
                    && stored.getOrDefault(t.getReference(), t.getReference()).matches("Patient/\\d{1,18}")).findFirst().orElse(null),
                    x -> List.of(), x -> x.hasActivity() ? x.getActivity() : null, x -> null, Provenance::getRecordedElement,
                    x -> "Provenance of " + x.getTarget().size() + " records"))
            .collect(Collectors.toUnmodifiableMap(r -> r.type().getSimpleName(), r -> r));

    /**
     * What the import reads off one type: the reference to the patient it is about, its categories, its code, its own
     * name, when it happened, and the name it gets when it has none (its type, unless said).
     */
    private record Reading<T extends Resource>(Class<T> type, BiFunction<T, Map<String, String>, Reference> subject,
                                               Function<T, List<CodeableConcept>> categories, Function<T, CodeableConcept> code,
                                               Function<T, String> name, Function<T, Type> when, Function<T, String> unnamed) {

        /** One of the parts above, read off a resource of this type. */
        <V> V read(Resource r, Function<Reading<T>, Function<T, V>> part) {
            return part.apply(this).apply(type.cast(r));
        }

        Reference subject(Resource r, Map<String, String> stored) {
            return subject.apply(type.cast(r), stored);
        }
    }
}
