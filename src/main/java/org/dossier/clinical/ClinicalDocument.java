package org.dossier.clinical;

import java.time.Instant;

/** A stored PDF or image, described by its metadata; the content is fetched separately. */
public record ClinicalDocument(long id, int facilityId, long patientId, String title, String kind, String contentType,
                               int sizeBytes, String sha256, String status, long uploadedBy, int version, Instant createdAt) implements ChartRecord {
}
