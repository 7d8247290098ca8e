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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Problems and diagnoses, coded in ICD-10. */
@Service
public class ProblemService {

    private static final Pattern ICD10 = Pattern.compile("[A-Z]\\d{2}(\\.[0-9A-Z]{1,4})?");

    private final ClinicalRepository repository;
    private final ClinicalAccess access;
    private final VersionLog versions;
    private final Clock clock;

    ProblemService(ClinicalRepository repository, ClinicalAccess access, @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        this.repository = repository;
        this.access = access;
        this.versions = clinicalVersions;
        this.clock = clock;
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
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Problem, Role.PHYSICIAN);
        validate(in, patient.birthDate());
        Instant now = clock.instant();
        long id = repository.insertProblem(patient.facilityId(), patient.id(), Problem.ICD10, in.icd10Code().strip().toUpperCase(), in.label().strip(),
                in.onsetDate(), statusOf(in), actor.staffId(), now, source);
        return logged(actor, id, "recorded", now);
    }

    /**
     * Records a problem coded in SNOMED CT, as history imported from another system is: the code is kept as the
     * source gave it, with its label. The hospital's own diagnoses are ICD-10 ({@link #record}).
     */
    @Transactional
    public Problem recordSnomed(Actor actor, long patientId, String snomedCode, String label, LocalDate onsetDate, Problem.Status status,
                                Imported source) {
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Problem, Role.PHYSICIAN);
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
        long id = repository.insertProblem(patient.facilityId(), patient.id(), Problem.SNOMED_CT, snomedCode.strip(), label.strip(),
                onsetDate, status == null ? Problem.Status.ACTIVE : status, actor.staffId(), now, source);
        return logged(actor, id, "recorded", now);
    }

    @Transactional
    public Problem change(Actor actor, long problemId, int expectedVersion, ProblemInput in, String reason) {
        actor.requireAnyRole("record diagnoses", Role.PHYSICIAN);
        String why = Texts.requireReason(reason);
        Problem current = repository.problem(problemId).orElseThrow(() -> new NotFoundException("No problem " + problemId));
        access.forChanging(actor, current.patientId(), AuditResource.Problem, problemId, ClinicalAccess.UPDATE, current.version(), Role.PHYSICIAN);
        validate(in, null);
        Instant now = clock.instant();
        if (!repository.updateProblem(problemId, expectedVersion, in.icd10Code().strip().toUpperCase(), in.label().strip(), in.onsetDate(),
                statusOf(in), actor.staffId(), now)) {
            throw ConflictException.stale(problemId, expectedVersion, current.version());
        }
        return logged(actor, problemId, why, now);
    }

    public Problem read(Actor actor, long problemId) {
        Problem p = repository.problem(problemId).orElseThrow(() -> new NotFoundException("No problem " + problemId));
        return access.visible(actor, p.patientId(), p, AuditResource.Problem, problemId);
    }

    public List<Problem> ofPatient(Actor actor, long patientId, boolean activeOnly) {
        return ofPatient(access.forReading(actor, patientId, AuditResource.Problem), activeOnly);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Problem> ofPatient(PatientAccess granted, boolean activeOnly) {
        return org.dossier.platform.RecordLimits.whole(repository.problems(granted.require(Section.CLINICAL).patientId(), activeOnly), "problems");
    }

    public List<VersionLog.Version<Problem>> history(Actor actor, long problemId) {
        read(actor, problemId);
        return versions.history("problem", problemId, Problem.class);
    }

    private Problem logged(Actor actor, long id, String reason, Instant now) {
        Problem p = repository.problem(id).orElseThrow();
        versions.record("problem", id, p.version(), p.facilityId(), p.patientId(), actor.staffId(), reason, p, now);
        return p;
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
