package org.dossier.care;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.RecordLimits;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Encounters of a patient that took place before or outside this hospital, as imported from another system. */
@Service
public class EncounterHistoryService {

    private final EncounterHistoryRepository repository;
    private final AccessGateway gateway;
    private final Clock clock;

    EncounterHistoryService(EncounterHistoryRepository repository, AccessGateway gateway, Clock clock) {
        this.repository = repository;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** What the source says of the encounter. */
    public record PastEncounterInput(String encounterClass, String type, String typeCode, String reason, Instant startAt, Instant endAt,
                                     String practitioner, String organization, String source) {
    }

    @Transactional
    public PastEncounter record(Actor actor, long patientId, PastEncounterInput in) {
        PatientAccess access = gateway.write(actor, patientId, Section.ENCOUNTERS, AuditAction.CREATE, AuditResource.PastEncounter, null);
        validate(in, clock.instant());
        return repository.find(access, repository.insert(access, in, clock.instant())).orElseThrow();
    }

    public PastEncounter read(Actor actor, long id) {
        long patientId = repository.patientOf(id).orElseThrow(() -> new NotFoundException("No encounter h" + id));
        PatientAccess access = gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.PastEncounter, id);
        return repository.find(access, id).orElseThrow(() -> new NotFoundException("No encounter h" + id));
    }

    /** The patient's past encounters, latest first (all of them, up to {@link RecordLimits#PER_PATIENT}). */
    public List<PastEncounter> ofPatient(Actor actor, long patientId) {
        return ofPatient(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.PastEncounter, null));
    }

    /** Under an access already granted and audited. */
    public List<PastEncounter> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(repository.ofPatient(granted.require(Section.ENCOUNTERS), RecordLimits.fetch()), "past encounters");
    }

    private static void validate(PastEncounterInput in, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        if (in.encounterClass() == null || !in.encounterClass().strip().matches("[A-Za-z_]{1,20}")) {
            errors.add(new FieldError("class", "is required: an HL7 ActCode such as AMB, EMER or IMP"));
        }
        if (in.type() == null || in.type().isBlank() || in.type().length() > 300) {
            errors.add(new FieldError("type", "is required (at most 300 characters)"));
        }
        if (in.startAt() == null || in.startAt().isAfter(now)) {
            errors.add(new FieldError("period.start", "is required and not in the future"));
        } else if (in.endAt() != null && in.endAt().isBefore(in.startAt())) {
            errors.add(new FieldError("period.end", "is before the start"));
        }
        if (in.source() == null || in.source().isBlank()) {
            errors.add(new FieldError("source", "is required: where the record comes from"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
