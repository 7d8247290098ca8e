package org.dossier.clinical;

import java.time.Instant;
import java.util.Set;

/**
 * A record another system sent that Dossier shows but does not act upon (a report, a clinical note, a care plan…):
 * {@code resource} is the FHIR resource as it was sent, its references rewritten to this server's ids (ADR 0026). The
 * other fields are what the chart and the searches read without opening it: its type, FHIR status, first category
 * code, first code, the text shown, and when it happened.
 */
public record ReceivedRecord(long id, int facilityId, long patientId, String resourceType, String status, String category,
                             String codeSystem, String code, String label, Instant occurredAt, long recordedBy, int version,
                             Instant updatedAt, String resource) implements ChartRecord {

    /** The FHIR resource types kept this way. */
    public static final Set<String> TYPES = Set.of("DiagnosticReport", "DocumentReference", "CarePlan", "CareTeam", "Device",
            "Provenance", "ImagingStudy", "MedicationAdministration", "SupplyDelivery");

    /** The FHIR id of a received record: its number after this prefix, so it never clashes with Dossier's own records of a type. */
    public static final String ID_PREFIX = "r";

    public String fhirId() {
        return ID_PREFIX + id;
    }
}
