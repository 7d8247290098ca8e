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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Problems and diagnoses, coded in ICD-10. */
@Service
public class ProblemService extends VersionedRecords<Problem> {

    private static final Pattern ICD10 = Pattern.compile("[A-Z]\\d{2}(\\.[0-9A-Z]{1,4})?");

    private final ClinicalRepository repository;

    ProblemService(ClinicalRepository repository, ClinicalAccess access, RecordLocator locator,
                   @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.PROBLEM, Problem.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
    }

    public record ProblemInput(String icd10Code, String label, LocalDate onsetDate, Problem.Status status) {
    }

    @Transactional
    public Problem record(Actor actor, long patientId, ProblemInput in) {
        return record(actor, patientId, in, null);
    }

    /** An ICD-10 coded problem from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Problem record(Actor actor, long patientId, ProblemInput in, Imported source) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN);
        validate(in, granted.patient().birthDate());
        Instant now = clock.instant();
        long id = repository.insertProblem(granted, Problem.ICD10, in.icd10Code().strip().toUpperCase(), in.label().strip(),
                in.onsetDate(), statusOf(in), now, source);
        return logged(granted, id, "recorded", now);
    }

    /**
     * Records a problem coded in SNOMED CT, as history imported from another system is: the code is kept as the
     * source gave it, with its label. The hospital's own diagnoses are ICD-10 ({@link #record}).
     */
    @Transactional
    public Problem recordSnomed(Actor actor, long patientId, String snomedCode, String label, LocalDate onsetDate, Problem.Status status,
                                Imported source) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN);
        List<FieldError> errors = new ArrayList<>();
        if (snomedCode == null || !snomedCode.strip().matches("\\d{6,18}")) {
            errors.add(new FieldError("code", "must be a SNOMED CT concept id (6 to 18 digits)"));
        }
        if (Texts.isBlank(label) || label.length() > 300) {
            errors.add(new FieldError("label", "is required (at most 300 characters)"));
        }
        if (onsetDate != null && onsetDate.isAfter(LocalDate.now(clock))) {
            errors.add(new FieldError("onsetDate", "is in the future"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant now = clock.instant();
        long id = repository.insertProblem(granted, Problem.SNOMED_CT, snomedCode.strip(), label.strip(), onsetDate,
                status == null ? Problem.Status.ACTIVE : status, now, source);
        return logged(granted, id, "recorded", now);
    }

    @Transactional
    public Problem change(Actor actor, long problemId, int expectedVersion, ProblemInput in, String reason) {
        actor.requireAnyRole("record diagnoses", Role.PHYSICIAN);
        String why = Texts.requireReason(reason);
        Change<Problem> change = changing(actor, problemId, ClinicalAccess.UPDATE, Role.PHYSICIAN);
        validate(in, null);
        Instant now = clock.instant();
        change.requireDone(repository.updateProblem(change.access(), problemId, expectedVersion, in.icd10Code().strip().toUpperCase(),
                in.label().strip(), in.onsetDate(), statusOf(in), now), expectedVersion);
        return logged(change.access(), problemId, why, now);
    }

    public Problem read(Actor actor, long problemId) {
        return one(actor, problemId);
    }

    public List<Problem> ofPatient(Actor actor, long patientId, boolean activeOnly) {
        return ofPatient(forList(actor, patientId), activeOnly);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Problem> ofPatient(PatientAccess granted, boolean activeOnly) {
        return RecordLimits.whole(repository.problems(granted.require(Section.CLINICAL), activeOnly), "problems");
    }

    /** {@link #ofPatient(PatientAccess, boolean)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<List<Problem>> ofPatient(PatientAccess granted, boolean activeOnly, QueryBatch batch) {
        return batch.add(repository.problemsQuery(granted.require(Section.CLINICAL), activeOnly))
                .map(found -> RecordLimits.whole(found, "problems"));
    }

    public List<VersionLog.Version<Problem>> history(Actor actor, long problemId) {
        return versions(actor, problemId);
    }

    @Override
    Optional<Problem> find(PatientAccess granted, long id) {
        return repository.problem(granted, id);
    }

    private static Problem.Status statusOf(ProblemInput in) {
        return in.status() == null ? Problem.Status.ACTIVE : in.status();
    }

    private void validate(ProblemInput in, LocalDate birthDate) {
        List<FieldError> errors = new ArrayList<>();
        if (in == null || in.icd10Code() == null || !ICD10.matcher(in.icd10Code().strip().toUpperCase()).matches()) {
            errors.add(new FieldError("icd10Code", "must be an ICD-10 code such as I10 or E11.9"));
        }
        if (in == null || Texts.isBlank(in.label()) || in.label().length() > 300) {
            errors.add(new FieldError("label", "is required (at most 300 characters)"));
        }
        if (in != null && in.onsetDate() != null) {
            if (in.onsetDate().isAfter(LocalDate.now(clock))) {
                errors.add(new FieldError("onsetDate", "is in the future"));
            } else if (birthDate != null && in.onsetDate().isBefore(birthDate)) {
                errors.add(new FieldError("onsetDate", "is before the patient's birth"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
