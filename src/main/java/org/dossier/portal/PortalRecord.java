package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.care.Appointment;
import org.dossier.care.SchedulingService;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.ClinicalDocument;
import org.dossier.clinical.DocumentService;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.Problem;
import org.dossier.clinical.ProblemService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.patient.Patient;
import org.dossier.patient.PatientService;
import org.dossier.prescribing.MedicationOrder;
import org.dossier.prescribing.PrescriptionService;
import org.springframework.stereotype.Service;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * What the patient sees of their own record: identity and contacts, upcoming appointments, current prescriptions, active
 * allergies and problems, invoices, and the results and documents released to them. One decision of the gateway for the page (the patient themself, PATIENT_SELF, audited), then
 * each module's service reads its section under that proof, as the chart does.
 */
@Service
public class PortalRecord {

    private final AccessGateway gateway;
    private final PatientService patients;
    private final SchedulingService scheduling;
    private final PrescriptionService prescriptions;
    private final AllergyService allergies;
    private final ProblemService problems;
    private final OrganizationService organization;
    private final PortalCorrectionRepository corrections;
    private final org.dossier.billing.BillingService billing;
    private final java.time.Clock clock;
    private final ObservationService observations;
    private final DocumentService documents;
    private final PortalCases cases;

    PortalRecord(AccessGateway gateway, PatientService patients, SchedulingService scheduling, PrescriptionService prescriptions,
                 AllergyService allergies, ProblemService problems, OrganizationService organization,
                 PortalCorrectionRepository corrections, java.time.Clock clock, org.dossier.billing.BillingService billing,
                 ObservationService observations, DocumentService documents, PortalCases cases) {
        this.cases = cases;
        this.observations = observations;
        this.documents = documents;
        this.gateway = gateway;
        this.patients = patients;
        this.scheduling = scheduling;
        this.prescriptions = prescriptions;
        this.allergies = allergies;
        this.problems = problems;
        this.organization = organization;
        this.corrections = corrections;
        this.clock = clock;
        this.billing = billing;
    }

    /** The patient's record as the portal shows it, with the names of the practitioners they have appointments with. */
    public record MyRecord(Patient patient, List<Appointment> appointments, Map<Long, String> practitioners,
                           List<MedicationOrder> prescriptions, List<Allergy> allergies, List<Problem> problems, ZoneId zone,
                           List<PortalCorrection> corrections, java.time.Instant cancellableAfter,
                           List<PortalCases.BreakGlassNotice> breakGlassNotices) {
    }

    public MyRecord mine(Actor actor) {
        long own = ownPatient(actor);
        PatientAccess access = gateway.read(actor, own, AuditResource.Chart, own, Section.IDENTITY,
                Section.SCHEDULING, Section.CLINICAL, Section.PRESCRIPTIONS);
        List<Appointment> upcoming = scheduling.upcoming(access, 20);
        Map<Long, String> names = organization.staffNames(upcoming.stream().map(Appointment::practitionerId).distinct().toList());
        return new MyRecord(patients.read(access), upcoming, names, prescriptions.ofPatient(access, true),
                allergies.ofPatient(access, true), problems.ofPatient(access, true), scheduling.zone(),
                corrections.ofPatient(access), clock.instant().plus(SchedulingService.PATIENT_CANCEL_NOTICE),
                cases.breakGlassNotices(access));
    }

    /**
     * The patient's invoices, read-only (ADR 0040): one decision of the gateway on the billing section (PATIENT_SELF,
     * audited); drafts are the billing office's work in progress and are not shown.
     */
    public List<org.dossier.billing.Invoice> invoices(Actor actor) {
        long own = ownPatient(actor);
        PatientAccess access = gateway.read(actor, own, Section.BILLING, AuditResource.Invoice, null);
        return billing.invoicesOf(access).stream().filter(i -> i.status() != org.dossier.billing.Invoice.Status.DRAFT).toList();
    }

    /**
     * The results a clinician released to the patient (ADR 0044): one decision of the gateway on the clinical section
     * (PATIENT_SELF, audited); the others stay hidden.
     */
    public List<Observation> results(Actor actor) {
        long own = ownPatient(actor);
        return observations.released(gateway.read(actor, own, Section.CLINICAL, AuditResource.Observation, null));
    }

    /** The documents a clinician released to the patient (ADR 0044), listed under one decision of the gateway, audited. */
    public List<ClinicalDocument> documents(Actor actor) {
        long own = ownPatient(actor);
        return documents.released(gateway.read(actor, own, Section.CLINICAL, AuditResource.Document, null));
    }

    /**
     * One released document's content: the gateway decides about the document's patient (another patient's is answered as
     * missing and audited), and an unreleased one is missing too.
     */
    public DocumentService.Content document(Actor actor, long documentId) {
        ownPatient(actor);
        return documents.releasedContent(actor, documentId);
    }

    /**
     * The patient cancels one of their appointments (ADR 0040): the scheduling module's own path, decided for the patient
     * themself and audited as their change, refused within {@link SchedulingService#PATIENT_CANCEL_NOTICE} of its start.
     */
    public Appointment cancel(Actor actor, long appointmentId, int version, String reason) {
        ownPatient(actor);
        return scheduling.cancelByPatient(actor, appointmentId, version, reason);
    }

    /**
     * Refuses (403) what only the patient themself does on their record — a correction request, a flagged access, an app's
     * consent — when a guardian reads it (ADR 0050: a guardian reads; the desk and the minor act).
     */
    static PatientAccess requireThePatientThemself(PatientAccess own) {
        if (!org.dossier.audit.AuditReason.PATIENT_SELF.name().equals(own.reasonCode())) {
            throw new org.dossier.platform.ForbiddenException("As a guardian you read this record; corrections, reports of an "
                    + "access and apps are asked for by the patient themself or at the front desk");
        }
        return own;
    }

    /** The record a portal actor acts for: the one its account was enrolled for, and no other. */
    static long ownPatient(Actor actor) {
        if (actor.patientScope() == null || !actor.hasRole(org.dossier.organization.Role.PATIENT)) {
            throw new org.dossier.platform.ForbiddenException("The portal shows a patient their own record");
        }
        return actor.patientScope();
    }
}
