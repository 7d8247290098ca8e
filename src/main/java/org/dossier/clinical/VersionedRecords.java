package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.audit.AuditAction;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * What every service of one kind of clinical record does the same way, so that none can read a row without a decision:
 * locate the record's patient (a {@link org.dossier.access.Locates} read of identifiers only), decide (ClinicalAccess,
 * which audits and returns the proof), then read or write only under that proof, and keep each version whole in the
 * version log, whose history is read back confined to the proof's patient too. A service keeps what is its own: its
 * checks, its columns, its public methods.
 */
abstract class VersionedRecords<T extends ChartRecord> {

    final ClinicalAccess access;
    final Clock clock;
    private final RecordKind kind;
    private final Class<T> type;
    private final RecordLocator locator;
    private final VersionLog versions;

    VersionedRecords(RecordKind kind, Class<T> type, ClinicalAccess access, RecordLocator locator, VersionLog versions, Clock clock) {
        this.kind = kind;
        this.type = type;
        this.access = access;
        this.locator = locator;
        this.versions = versions;
        this.clock = clock;
    }

    /** The record under a proof about its patient; another patient's id finds nothing. */
    abstract Optional<T> find(PatientAccess granted, long id);

    /** The record's patient as the actor may name it, before any decision (a note overrides it: others' drafts are missing). */
    OptionalLong locate(Actor actor, long id) {
        return locator.patientOf(kind, id);
    }

    NotFoundException missing(long id) {
        return new NotFoundException("No " + kind.entity() + " " + id);
    }

    /** The proof that the actor may read this record, the read audited as one of it. */
    PatientAccess forRecord(Actor actor, long id) {
        return forRecord(actor, id, locate(actor, id).orElseThrow(() -> missing(id)));
    }

    PatientAccess forRecord(Actor actor, long id, long patientId) {
        return access.forReading(actor, patientId, kind.resource(), id);
    }

    /** The proof that the actor may read the patient's records of this kind (a list). */
    PatientAccess forList(Actor actor, long patientId) {
        return access.forReading(actor, patientId, kind.resource());
    }

    /** The proof that the actor, in one of {@code roles}, may add a record of this kind to the active patient's chart. */
    PatientAccess forCreating(Actor actor, long patientId, Role... roles) {
        return access.forWriting(actor, patientId, kind.resource(), roles);
    }

    T one(Actor actor, long id) {
        return found(forRecord(actor, id), id);
    }

    T found(PatientAccess granted, long id) {
        return find(granted, id).orElseThrow(() -> missing(id));
    }

    /** The record with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    VersionLog.Dated<T> dated(Actor actor, long id) {
        return dated(forRecord(actor, id), id);
    }

    VersionLog.Dated<T> dated(PatientAccess granted, long id) {
        T record = found(granted, id);
        return new VersionLog.Dated<>(record, versions.recordedAt(kind.entity(), record.id(), record.version()));
    }

    /** Every kept version of the record, newest first: one gateway decision, as a read. */
    List<VersionLog.Version<T>> versions(Actor actor, long id) {
        return versions(forRecord(actor, id), id);
    }

    List<VersionLog.Version<T>> versions(PatientAccess granted, long id) {
        found(granted, id);
        return versions.history(kind.entity(), id, granted.patientId(), type);
    }

    /** A change of the record, decided and audited as {@code action} from the version it has: the proof and the record as it is. */
    Change<T> changing(Actor actor, long id, AuditAction action, Role... roles) {
        return changing(actor, id, action, ClinicalAccess::versions, roles);
    }

    /** The same, the change described in the audit entry from the version it starts from ({@code described}). */
    Change<T> changing(Actor actor, long id, AuditAction action, IntFunction<String> described, Role... roles) {
        long patientId = locate(actor, id).orElseThrow(() -> missing(id));
        int version = locator.versionOf(kind, id).orElseThrow(() -> missing(id));
        PatientAccess granted = access.forChanging(actor, patientId, kind.resource(), id, action, described.apply(version), roles);
        return new Change<>(granted, found(granted, id));
    }

    /** The record as it now is, its version kept in the log with who changed it and why. */
    T logged(PatientAccess granted, long id, String reason, Instant at) {
        T record = found(granted, id);
        versions.record(kind.entity(), id, record.version(), record.facilityId(), record.patientId(), granted.actor().staffId(), reason,
                record, at);
        return record;
    }

    /**
     * Marks a record entered in error, by a physician or a nurse, with a reason: it is never changed or deleted, and
     * marked once ({@code current} tells whether it still may be; one already marked is refused, 409).
     */
    T enteredInError(Actor actor, long id, int expectedVersion, String reason, Predicate<T> current, Marking marking) {
        actor.requireAnyRole("correct " + kind.entity() + "s", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Change<T> change = changing(actor, id, ClinicalAccess.ENTERED_IN_ERROR, Role.PHYSICIAN, Role.NURSE);
        if (!current.test(change.current())) {
            throw new ConflictException(kind.entity() + "-in-error", "This " + kind.entity() + " is already marked entered in error");
        }
        change.requireDone(marking.mark(change.access(), id, expectedVersion), expectedVersion);
        return logged(change.access(), id, "entered in error: " + why, clock.instant());
    }

    /**
     * Releases the record to its patient, who then sees it in the portal (ADR 0044): a physician's change of the clinical
     * section, decided and audited as a status change of the record; one entered in error cannot be released (409). The
     * record's own version does not change: what the patient may see is not what the record says. Releasing it again is
     * harmless (audited, nothing added).
     */
    T release(Actor actor, long id, Predicate<T> current, Releasing releasing) {
        Change<T> change = changing(actor, id, ClinicalAccess.STATUS, v -> "released to the patient", Role.PHYSICIAN);
        if (!current.test(change.current())) {
            throw new ConflictException(kind.entity() + "-in-error", "This " + kind.entity() + " is marked entered in error: it is not released");
        }
        releasing.release(change.access(), kind, id, clock.instant());
        return change.current();
    }

    /** The repository's statement that releases one record of the proof's patient to them. */
    @FunctionalInterface
    interface Releasing {
        boolean release(PatientAccess granted, RecordKind kind, long id, Instant at);
    }

    /** The repository's statement that marks one record of the proof's patient entered in error, at the expected version. */
    @FunctionalInterface
    interface Marking {
        boolean mark(PatientAccess granted, long id, int expectedVersion);
    }

    /** A change decided: the proof it was decided with and the record as it was. */
    record Change<T extends ChartRecord>(PatientAccess access, T current) {

        /** A conditional update that found another version is answered as stale (409), naming the version there is. */
        void requireDone(boolean updated, int expectedVersion) {
            if (!updated) {
                throw ConflictException.stale(current.id(), expectedVersion, current.version());
            }
        }
    }
}
