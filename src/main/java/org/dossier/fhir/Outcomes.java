package org.dossier.fhir;

import ca.uhn.fhir.rest.api.MethodOutcome;

/** What a create or an update answers: the resource, its versioned id, and a one-line OperationOutcome for {@code Prefer: return=OperationOutcome}. */
final class Outcomes {

    private Outcomes() {
    }

    static MethodOutcome created(org.hl7.fhir.r4.model.Resource resource) {
        MethodOutcome outcome = new MethodOutcome(resource.getIdElement().withResourceType(resource.fhirType())
                .withVersion(resource.getMeta().getVersionId()), true);
        outcome.setResource(resource);
        outcome.setOperationOutcome(said("Created " + outcome.getId().toUnqualified().getValue()));
        return outcome;
    }

    static MethodOutcome updated(org.hl7.fhir.r4.model.Resource resource) {
        MethodOutcome outcome = new MethodOutcome(resource.getIdElement().withResourceType(resource.fhirType())
                .withVersion(resource.getMeta().getVersionId()));
        outcome.setResource(resource);
        outcome.setOperationOutcome(said("Updated " + outcome.getId().toUnqualified().getValue()));
        return outcome;
    }

    /** What {@code Prefer: return=OperationOutcome} gets instead of the resource: one information issue. */
    private static org.hl7.fhir.r4.model.OperationOutcome said(String what) {
        org.hl7.fhir.r4.model.OperationOutcome outcome = new org.hl7.fhir.r4.model.OperationOutcome();
        outcome.addIssue().setSeverity(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(org.hl7.fhir.r4.model.OperationOutcome.IssueType.INFORMATIONAL).setDiagnostics(what);
        return outcome;
    }
}
