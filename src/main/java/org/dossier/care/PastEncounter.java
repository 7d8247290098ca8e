package org.dossier.care;

import java.time.Instant;

/**
 * An encounter that took place elsewhere, imported as history (a consultation, an emergency visit, a stay in another
 * hospital). {@code encounterClass} is the HL7 v3 ActCode (AMB, EMER, IMP, …); practitioner and organization are as
 * the source named them. History explains no access: it is never a care relationship.
 */
public record PastEncounter(long id, int facilityId, long patientId, String encounterClass, String type, String typeCode,
                            String reason, Instant startAt, Instant endAt, String practitioner, String organization, String source) {
}
