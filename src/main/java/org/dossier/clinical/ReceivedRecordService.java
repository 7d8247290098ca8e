package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.RecordLimits;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What other systems sent that Dossier shows but does not act upon (ADR 0026): kept whole as sent, versioned, read
 * through the gateway under the clinical section, audited as {@code ReceivedRecord}. Nothing here reads inside a
 * record to decide anything: it is history to be read by a clinician.
 */
@Service
public class ReceivedRecordService extends VersionedRecords<ReceivedRecord> {

    /** The largest resource kept (a note's text, a report's form, a provenance naming a whole bundle): 4 MiB of JSON. */
    public static final int MAX_RESOURCE_CHARS = 4 * 1024 * 1024;
    private final ReceivedRecordRepository repository;
    private final DocumentService documents;
    private final ClinicalRepository measurements;
    private final RecordLocator locator;

    ReceivedRecordService(ReceivedRecordRepository repository, DocumentService documents, ClinicalRepository measurements,
                          ClinicalAccess access, RecordLocator locator, @Qualifier("clinicalVersions") VersionLog clinicalVersions,
                          Clock clock) {
        super(RecordKind.RECEIVED, ReceivedRecord.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
        this.documents = documents;
        this.measurements = measurements;
        this.locator = locator;
    }

    /**
     * A record as received: its FHIR type, the columns read without opening it, and the resource itself as FHIR JSON
     * (references already rewritten by the importer).
     */
    public record ReceivedInput(String resourceType, String status, String category, String codeSystem, String code, String label,
                                Instant occurredAt, String resource) {
    }

    @Transactional
    public ReceivedRecord recordImported(Actor actor, long patientId, ReceivedInput in) {
        validate(in);
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        Instant now = clock.instant();
        return logged(granted, repository.insert(granted, in, now), "received", now);
    }

    /** One record of {@code type} (a record of another type is not found: ids are per type to a FHIR client). */
    public ReceivedRecord read(Actor actor, String type, long id) {
        return found(forRecord(actor, type, id), id);
    }

    /** One record with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    public VersionLog.Dated<ReceivedRecord> readDated(Actor actor, String type, long id) {
        return dated(forRecord(actor, type, id), id);
    }

    public List<VersionLog.Version<ReceivedRecord>> history(Actor actor, String type, long id) {
        return versions(forRecord(actor, type, id), id);
    }

    private PatientAccess forRecord(Actor actor, String type, long id) {
        long patientId = locator.patientOfReceived(id, type)
                .orElseThrow(() -> new NotFoundException("No " + type + " " + ReceivedRecord.ID_PREFIX + id));
        return forRecord(actor, id, patientId);
    }

    @Override
    Optional<ReceivedRecord> find(PatientAccess granted, long id) {
        return repository.find(granted, id);
    }

    /** The patient's records of one type, newest first, all of them ({@link RecordLimits}): one gateway decision. */
    public List<ReceivedRecord> ofPatient(Actor actor, long patientId, String type) {
        return ofPatient(access.forReading(actor, patientId, AuditResource.ReceivedRecord), List.of(type));
    }

    /** Under an access already granted and audited (the chart, a search that also reads Dossier's own records). */
    public List<ReceivedRecord> ofPatient(PatientAccess granted, List<String> types) {
        return RecordLimits.whole(repository.ofPatient(granted.require(Section.CLINICAL), types, RecordLimits.fetch()),
                "records received from other systems");
    }

    /** The most received records the chart shows (newest first); every one is served over FHIR. */
    public static final int CHART_LIMIT = 200;

    /** How many records other systems sent for the patient (the chart says when it shows only the newest). */
    public int count(PatientAccess granted) {
        return repository.count(granted.require(Section.CLINICAL));
    }

    /**
     * What the chart shows of the patient's received records, newest first: notes as text, reports with the values of
     * the results kept here. Under an access already granted and audited (the chart tab's one decision).
     */
    public List<ReceivedReading> readings(PatientAccess granted) {
        List<ReceivedRecord> found = repository.ofPatient(granted.require(Section.CLINICAL), List.copyOf(ReceivedRecord.TYPES), CHART_LIMIT);
        // One query for every result the reports shown name, and only the patient's own: a report can name no one else's.
        java.util.Set<Long> resultIds = new java.util.HashSet<>();
        found.forEach(r -> resultIds.addAll(ReceivedReading.resultIds(r)));
        java.util.Map<Long, ReceivedReading.Result> measured = new java.util.HashMap<>();
        measurements.observations(granted, resultIds).forEach(o -> measured.put(o.id(), result(o)));
        return found.stream().map(r -> ReceivedReading.of(r, measured)).toList();
    }

    private static ReceivedReading.Result result(Observation o) {
        return new ReceivedReading.Result(o.label() != null ? o.label() : o.kind() == null ? o.code() : o.kind().name(), o);
    }

    /** A patient's documents: those filed here and the clinical notes other systems sent. */
    public record Documents(List<ClinicalDocument> own, List<ReceivedRecord> received) {
    }

    /**
     * Both kinds of a patient's documents under one gateway decision (audited as reading the documents): a FHIR
     * {@code DocumentReference} search answers them together.
     */
    public Documents documentsOf(Actor actor, long patientId) {
        PatientAccess granted = access.forReading(actor, patientId, AuditResource.Document);
        return new Documents(documents.ofPatient(granted), ofPatient(granted, List.of("DocumentReference")));
    }

    private static void validate(ReceivedInput in) {
        List<FieldError> errors = new ArrayList<>();
        if (in.resourceType() == null || !ReceivedRecord.TYPES.contains(in.resourceType())) {
            errors.add(new FieldError("resourceType", "is one of " + new java.util.TreeSet<>(ReceivedRecord.TYPES)));
        }
        if (Texts.isBlank(in.label()) || in.label().length() > 300) {
            errors.add(new FieldError("code.text", "is required (at most 300 characters)"));
        }
        for (String[] f : new String[][] {{"status", in.status()}, {"category", in.category()}, {"code", in.code()}}) {
            if (f[1] != null && f[1].length() > 100) {
                errors.add(new FieldError(f[0], "at most 100 characters"));
            }
        }
        if (in.codeSystem() != null && in.codeSystem().length() > 300) {
            errors.add(new FieldError("code.system", "at most 300 characters"));
        }
        if (in.resource() == null || in.resource().length() > MAX_RESOURCE_CHARS) {
            errors.add(new FieldError("resource", "is required, at most " + MAX_RESOURCE_CHARS + " characters of JSON"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
