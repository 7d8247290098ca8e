package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
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
public class ImmunizationService extends Interventions<Immunization> {

    /** FHIR's immunization statuses, kept as sent. */
    public static final Set<String> STATUSES = Set.of("completed", "entered-in-error", "not-done");

    ImmunizationService(InterventionRepository repository, ClinicalAccess access, RecordLocator locator,
                        @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.IMMUNIZATION, Immunization.class, STATUSES, repository, access, locator, clinicalVersions, clock);
    }

    /** A vaccination as the source coded it: the first coding's system and code (CVX), the text shown, status, when given. */
    public record ImmunizationInput(String codeSystem, String code, String label, String status, Instant occurredAt) {
    }

    /** An immunization from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Immunization recordImported(Actor actor, long patientId, ImmunizationInput in, Imported source) {
        return recordedImport(actor, patientId, in.codeSystem(), in.code(), in.label(), in.status(), () -> { },
                (granted, label, now) -> repository.insertImmunization(granted, in.codeSystem(), in.code(), label, in.status(),
                        in.occurredAt(), now, source));
    }

    @Override
    public List<Immunization> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(repository.immunizations(granted.require(Section.CLINICAL), RecordLimits.fetch()), "immunizations");
    }

    @Override
    Optional<Immunization> find(PatientAccess granted, long id) {
        return repository.immunization(granted, id);
    }
}
