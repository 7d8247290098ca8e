package org.dossier.access;

import org.dossier.audit.AuditReason;

import org.dossier.organization.Actor;
import org.dossier.platform.ForbiddenException;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Proof that the gateway allowed an actor to see some sections of one patient's record and that the access
 * is in the audit trail. Only {@link AccessGateway} makes one, so a service that takes it as an argument
 * knows the decision was taken and recorded: the chart summary decides once and reads every section with it.
 */
public final class PatientAccess {

    private final Actor actor;
    private final PatientFacts patient;
    private final Set<Section> sections;
    private final AuditReason reasonCode;

    PatientAccess(Actor actor, PatientFacts patient, Set<Section> sections, AuditReason reasonCode) {
        this.actor = actor;
        this.patient = patient;
        this.sections = Collections.unmodifiableSet(EnumSet.copyOf(sections));
        this.reasonCode = reasonCode;
    }

    public Actor actor() {
        return actor;
    }

    public PatientFacts patient() {
        return patient;
    }

    public long patientId() {
        return patient.id();
    }

    public Set<Section> sections() {
        return sections;
    }

    /** The relationship, role or break-the-glass grant that explains the access, as written in the audit entry. */
    public String reasonCode() {
        return reasonCode.name();
    }

    public boolean permits(Section section) {
        return sections.contains(section);
    }

    /** Guards a service that was handed this access: it was decided for other sections. */
    public PatientAccess require(Section section) {
        if (!permits(section)) {
            throw new ForbiddenException("Your access to this record does not include " + section.name().toLowerCase());
        }
        return this;
    }
}
