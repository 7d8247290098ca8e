package org.dossier.clinical;

import org.dossier.audit.AuditResource;

/** Each versioned record of the clinical chart: its table, its name in the version log and in the audit trail. */
enum RecordKind {
    NOTE("clinical_note", "note", AuditResource.Note),
    ALLERGY("allergy", "allergy", AuditResource.Allergy),
    PROBLEM("problem", "problem", AuditResource.Problem),
    OBSERVATION("observation", "observation", AuditResource.Observation),
    DOCUMENT("clinical_document", "document", AuditResource.Document),
    PROCEDURE("procedure_record", "procedure", AuditResource.Procedure),
    IMMUNIZATION("immunization", "immunization", AuditResource.Immunization),
    RECEIVED("received_record", "received_record", AuditResource.ReceivedRecord);

    private final String table;
    private final String entity;
    private final AuditResource resource;

    RecordKind(String table, String entity, AuditResource resource) {
        this.table = table;
        this.entity = entity;
        this.resource = resource;
    }

    String table() {
        return table;
    }

    /** Its name in the version log (and in a "No allergy 12" answer). */
    String entity() {
        return entity;
    }

    AuditResource resource() {
        return resource;
    }
}
