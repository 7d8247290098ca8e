package org.dossier.clinical;

import org.dossier.audit.AuditResource;
import org.dossier.access.Section;
import org.dossier.access.PatientAccess;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.access.PatientFacts;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.Imported;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Allergies and intolerances. Prescribing checks new orders against the active ones. */
@Service
public class AllergyService {

    private final ClinicalRepository repository;
    private final ClinicalAccess access;
    private final VersionLog versions;
    private final Clock clock;

    AllergyService(ClinicalRepository repository, ClinicalAccess access, @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        this.repository = repository;
        this.access = access;
        this.versions = clinicalVersions;
        this.clock = clock;
    }

    /** An allergy as entered: the substance (and its code, ATC or a substance code), the reaction, how bad. */
    public record AllergyInput(String substance, String substanceCode, String reaction, Allergy.Severity severity,
                               Allergy.Kind kind, Allergy.Status status) {
    }

    @Transactional
    public Allergy record(Actor actor, long patientId, AllergyInput in) {
        return record(actor, patientId, in, null);
    }

    /** An allergy from another system's history, with what the source said of it (kept as sent, served back as sent). */
    @Transactional
    public Allergy record(Actor actor, long patientId, AllergyInput in, Imported source) {
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Allergy, Role.PHYSICIAN, Role.NURSE);
        validate(in);
        Instant now = clock.instant();
        long id = repository.insertAllergy(patient.facilityId(), patient.id(), in.substance().strip(), Texts.clean(in.substanceCode()),
                Texts.clean(in.reaction()), in.severity(), kindOf(in), statusOf(in), actor.staffId(), now, source);
        return logged(actor, id, "recorded", now);
    }

    @Transactional
    public Allergy change(Actor actor, long allergyId, int expectedVersion, AllergyInput in, String reason) {
        actor.requireAnyRole("record allergies", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Allergy current = repository.allergy(allergyId).orElseThrow(() -> new NotFoundException("No allergy " + allergyId));
        access.forChanging(actor, current.patientId(), AuditResource.Allergy, allergyId, ClinicalAccess.UPDATE, current.version(),
                Role.PHYSICIAN, Role.NURSE);
        validate(in);
        Instant now = clock.instant();
        if (!repository.updateAllergy(allergyId, expectedVersion, in.substance().strip(), Texts.clean(in.substanceCode()),
                Texts.clean(in.reaction()), in.severity(), kindOf(in), statusOf(in), actor.staffId(), now)) {
            throw ConflictException.stale(allergyId, expectedVersion, current.version());
        }
        return logged(actor, allergyId, why, now);
    }

    public Allergy read(Actor actor, long allergyId) {
        Allergy a = repository.allergy(allergyId).orElseThrow(() -> new NotFoundException("No allergy " + allergyId));
        return access.visible(actor, a.patientId(), a, AuditResource.Allergy, allergyId);
    }

    public List<Allergy> ofPatient(Actor actor, long patientId, boolean activeOnly) {
        return ofPatient(access.forReading(actor, patientId, AuditResource.Allergy), activeOnly);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Allergy> ofPatient(PatientAccess granted, boolean activeOnly) {
        return org.dossier.platform.RecordLimits.whole(repository.allergies(granted.require(Section.CLINICAL).patientId(), activeOnly), "allergies");
    }

    /** Active allergies for the prescribing check, read with the prescriber's own access. */
    public List<Allergy> activeForPrescribing(Actor actor, long patientId) {
        return ofPatient(actor, patientId, true);
    }

    public List<VersionLog.Version<Allergy>> history(Actor actor, long allergyId) {
        read(actor, allergyId);
        return versions.history("allergy", allergyId, Allergy.class);
    }

    private Allergy logged(Actor actor, long id, String reason, Instant now) {
        Allergy a = repository.allergy(id).orElseThrow();
        versions.record("allergy", id, a.version(), a.facilityId(), a.patientId(), actor.staffId(), reason, a, now);
        return a;
    }

    private static Allergy.Kind kindOf(AllergyInput in) {
        return in.kind() == null ? Allergy.Kind.ALLERGY : in.kind();
    }

    private static Allergy.Status statusOf(AllergyInput in) {
        return in.status() == null ? Allergy.Status.ACTIVE : in.status();
    }

    private static void validate(AllergyInput in) {
        List<FieldError> errors = new ArrayList<>();
        if (in == null || Texts.isBlank(in.substance()) || in.substance().length() > 200) {
            errors.add(new FieldError("substance", "is required (at most 200 characters)"));
        }
        if (in != null && in.severity() == null) {
            errors.add(new FieldError("severity", "is required: MILD, MODERATE or SEVERE"));
        }
        if (in != null && in.reaction() != null && in.reaction().length() > 500) {
            errors.add(new FieldError("reaction", "at most 500 characters"));
        }
        if (in != null && in.substanceCode() != null && !in.substanceCode().isBlank() && !in.substanceCode().matches("[A-Z0-9.\\-]{1,20}")) {
            errors.add(new FieldError("substanceCode", "must be a code such as an ATC class (J01C)"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
