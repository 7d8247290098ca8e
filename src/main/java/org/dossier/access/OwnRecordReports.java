package org.dossier.access;

import org.dossier.audit.AuditReports;
import org.springframework.stereotype.Service;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "Who opened my record" (ADR 0039): the accesses of others to a patient's record, told to that patient. Each method takes
 * the proof that the gateway allowed (and audited) showing the patient their own record: the patient themself, through
 * the portal, asked and was answered under PATIENT_SELF. Only then is the trail queried.
 */
@Service
public class OwnRecordReports {

    private static final Pattern GRANT = Pattern.compile("break-the-glass grant (\\d{1,18})");

    private final AuditReports reports;
    private final AccessRepository repository;

    OwnRecordReports(AuditReports reports, AccessRepository repository) {
        this.reports = reports;
        this.repository = repository;
    }

    /** One page of accesses (newest first) and whether there is another after it. */
    public record Page(List<AuditReports.AccessToMyRecord> entries, boolean more) {
    }

    public Page accesses(PatientAccess own, int page, int size) {
        requireOwn(own);
        int from = Math.max(0, page) * size;
        List<AuditReports.AccessToMyRecord> rows = reports.accessesToMyRecord(own.patientId(), own.actor().staffId(), from, size + 1);
        return new Page(rows.size() > size ? rows.subList(0, size) : rows, rows.size() > size);
    }

    /** The entries of these sequence numbers, when they are accesses to this patient's record (others are left out). */
    public List<AuditReports.AccessToMyRecord> entries(PatientAccess own, Collection<Long> seqs) {
        requireOwn(own);
        return reports.accessesToMyRecord(own.patientId(), own.actor().staffId(), seqs);
    }

    /** The coded reason of the break-the-glass grant an entry was allowed under, if its detail names one of this patient's. */
    public Optional<BreakGlassGrant.Reason> breakGlassReason(PatientAccess own, String detail) {
        requireOwn(own);
        Matcher m = GRANT.matcher(detail == null ? "" : detail);
        if (!m.find()) {
            return Optional.empty();
        }
        return repository.grant(Long.parseLong(m.group(1))).filter(g -> g.patientId() == own.patientId()).map(BreakGlassGrant::reason);
    }

    /**
     * The break-the-glass grants on the patient's record since {@code since} (at most {@code limit}, newest first): each
     * is an emergency access the patient is told of on their portal when the hospital's setting says so (ADR 0044).
     */
    public List<BreakGlassGrant> breakGlassGrants(PatientAccess own, java.time.Instant since, int limit) {
        requireOwn(own);
        return repository.grantsOfPatient(own.patientId(), since, Math.max(1, Math.min(limit, 50)));
    }

    /**
     * These reports are the patient's, and their legal guardian's while a link holds (ADR 0050): a staff member's access
     * to a record does not open its access list.
     */
    private static void requireOwn(PatientAccess own) {
        if (!org.dossier.audit.AuditReason.PATIENT_SELF.name().equals(own.reasonCode())
                && !org.dossier.audit.AuditReason.GUARDIAN.name().equals(own.reasonCode())) {
            throw new org.dossier.platform.ForbiddenException("The list of accesses to a record is shown to the patient themself");
        }
        own.require(Section.IDENTITY);
    }
}
