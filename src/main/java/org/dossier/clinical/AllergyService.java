package org.dossier.clinical;

import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FieldError;
import org.dossier.platform.Imported;
import org.dossier.platform.InvalidInputException;
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

/** Allergies and intolerances. Prescribing checks new orders against the active ones. */
@Service
public class AllergyService extends VersionedRecords<Allergy> {

    private final ClinicalRepository repository;

    AllergyService(ClinicalRepository repository, ClinicalAccess access, RecordLocator locator,
                   @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.ALLERGY, Allergy.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
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
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        validate(in);
        Instant now = clock.instant();
        long id = repository.insertAllergy(granted, in.substance().strip(), Texts.clean(in.substanceCode()), Texts.clean(in.reaction()),
                in.severity(), kindOf(in), statusOf(in), now, source);
        return logged(granted, id, "recorded", now);
    }

    @Transactional
    public Allergy change(Actor actor, long allergyId, int expectedVersion, AllergyInput in, String reason) {
        actor.requireAnyRole("record allergies", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Change<Allergy> change = changing(actor, allergyId, ClinicalAccess.UPDATE, Role.PHYSICIAN, Role.NURSE);
        validate(in);
        Instant now = clock.instant();
        change.requireDone(repository.updateAllergy(change.access(), allergyId, expectedVersion, in.substance().strip(),
                Texts.clean(in.substanceCode()), Texts.clean(in.reaction()), in.severity(), kindOf(in), statusOf(in), now), expectedVersion);
        return logged(change.access(), allergyId, why, now);
    }

    public Allergy read(Actor actor, long allergyId) {
        return one(actor, allergyId);
    }

    public List<Allergy> ofPatient(Actor actor, long patientId, boolean activeOnly) {
        return ofPatient(forList(actor, patientId), activeOnly);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Allergy> ofPatient(PatientAccess granted, boolean activeOnly) {
        return RecordLimits.whole(repository.allergies(granted.require(Section.CLINICAL), activeOnly), "allergies");
    }

    /** {@link #ofPatient(PatientAccess, boolean)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<List<Allergy>> ofPatient(PatientAccess granted, boolean activeOnly, QueryBatch batch) {
        return batch.add(repository.allergiesQuery(granted.require(Section.CLINICAL), activeOnly))
                .map(found -> RecordLimits.whole(found, "allergies"));
    }

    /** Active allergies for the prescribing check, read with the prescriber's own access. */
    public List<Allergy> activeForPrescribing(Actor actor, long patientId) {
        return ofPatient(actor, patientId, true);
    }

    public List<VersionLog.Version<Allergy>> history(Actor actor, long allergyId) {
        return versions(actor, allergyId);
    }

    @Override
    Optional<Allergy> find(PatientAccess granted, long id) {
        return repository.allergy(granted, id);
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
