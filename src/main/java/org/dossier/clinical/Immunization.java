package org.dossier.clinical;

import org.dossier.platform.Imported;

import java.time.Instant;

/**
 * A vaccine given to the patient, as another system's history recorded it: the vaccine's code as sent ({@code codeSystem}
 * the URI of the first coding, CVX from Synthea; {@code source} keeps every coding), its FHIR status and when it was
 * given. Who gave it is in {@code source}.
 */
public record Immunization(long id, int facilityId, long patientId, String codeSystem, String code, String label, String status,
                           Instant occurredAt, long recordedBy, int version, Instant updatedAt, Imported source) implements ChartRecord {
}
