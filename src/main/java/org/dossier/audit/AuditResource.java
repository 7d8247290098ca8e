package org.dossier.audit;

/** The kind of record an audit entry is about, stored by its name as the trail has always held it. */
public enum AuditResource {
    Patient, PatientHistory, PatientMerge, DuplicateCandidate, DuplicateReview, Chart, AccessReport, CareRelationship,
    Allergy, Problem, Note, Observation, Document, Procedure, Immunization, ReceivedRecord,
    MedicationOrder,
    Stay, Encounter, PastEncounter, Census, Appointment, Agenda, CareTeam, Referral,
    Invoice, Claim, HealthCardRead,
    BreakGlass, BreakGlassGrant, Restriction,
    Bundle,
    Account, StaffGrant, GuardAlert,
    ExposureReport, AuditEntry, AuditEvent,
    /** The patient portal (ADR 0039): an enrolment code, a patient's account, a case a patient opened about an access. */
    PortalEnrolment, PortalAccount, PortalCase, PortalCorrection,
    /** The hospital's policy for its portal, per facility (ADR 0044): break-the-glass notices, staff names. */
    PortalSetting,
    /** A legal guardian's link from their portal account to a minor's record (ADR 0050). */
    PortalGuardianLink,
    /** A request refused before any service named what it was about: the detail holds its method and path. */
    Request;

    /** The name stored in the trail. */
    public String code() {
        return name();
    }
}
