package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.Imported;
import org.dossier.platform.RecordLimits;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Vaccines given, from another system's history: recorded as sent, versioned, read through the gateway. */
@Service
public class ImmunizationService extends VersionedRecords<Immunization> {

    /** FHIR's immunization statuses, kept as sent. */
    public static final Set<String> STATUSES = Set.of("completed", "entered-in-error", "not-done");

    private final InterventionRepository repository;

    ImmunizationService(InterventionRepository repository, ClinicalAccess access, RecordLocator locator,
                        @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.IMMUNIZATION, Immunization.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
    }

    /** A vaccination as the source coded it: the first coding's system and code (CVX), the text shown, status, when given. */
    public record ImmunizationInput(String codeSystem, String code, String label, String status, Instant occurredAt) {
    }

    /** An immunization from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Immunization recordImported(Actor actor, long patientId, ImmunizationInput in, Imported source) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        Interventions.validate(in.codeSystem(), in.code(), in.label(), in.status(), STATUSES);
        Instant now = clock.instant();
        long id = repository.insertImmunization(granted, in.codeSystem(), in.code(), in.label().strip(), in.status(), in.occurredAt(),
                now, source);
        return logged(granted, id, "recorded", now);
    }

    public Immunization read(Actor actor, long immunizationId) {
        return one(actor, immunizationId);
    }

    /** One immunization with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    public VersionLog.Dated<Immunization> readDated(Actor actor, long immunizationId) {
        return dated(actor, immunizationId);
    }

    /** The patient's immunizations, newest first (at most 500). */
    public List<Immunization> ofPatient(Actor actor, long patientId) {
        return ofPatient(forList(actor, patientId));
    }

    /** Under an access already granted and audited (the chart). */
    public List<Immunization> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(repository.immunizations(granted.require(Section.CLINICAL), RecordLimits.fetch()), "immunizations");
    }

    public List<VersionLog.Version<Immunization>> history(Actor actor, long immunizationId) {
        return versions(actor, immunizationId);
    }

    @Override
    Optional<Immunization> find(PatientAccess granted, long id) {
        return repository.immunization(granted, id);
    }
}
