package org.dossier.clinical;

import org.dossier.platform.Imported;

import java.time.Instant;

/**
 * A procedure performed on the patient, as another system's history recorded it: its code as sent ({@code codeSystem}
 * is the URI of the first coding, SNOMED CT from Synthea; {@code source} keeps every coding), its FHIR status, and when
 * it was performed (an instant, or a period when {@code performedEnd} is set). Who performed it is in {@code source}.
 */
public record Procedure(long id, int facilityId, long patientId, String codeSystem, String code, String label, String status,
                        Instant performedStart, Instant performedEnd, long recordedBy, int version, Instant updatedAt, Imported source) implements ChartRecord {
}
