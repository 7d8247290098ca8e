package org.dossier.platform;

import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.util.List;

/**
 * What another system said of a record it sent us, beyond the columns a record made here has: every coding of its code
 * (RxNorm, SNOMED CT, LOINC… beside any French one), its categories, its statuses and intent as sent, its dates as
 * sent (text, so a year stays a year and an offset stays an offset), the person it names (resolved to the directory of
 * external parties when the import knows them) and a measured value as measured before conversion. Kept so that what
 * is served back is what was received (ADR 0023); null on records made here. {@code recorded} is when the source
 * recorded or authored it; {@code start} and {@code end} its onset and abatement, or an observation's effective time. A change made here clears it on the
 * record (the version history keeps it), since the source no longer describes what the record says.
 */
public record Imported(List<Code> codings, List<Code> categories, String status, String verification, String intent,
                       String criticality, String recorded, String start, String end, Party party, Quantity original) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public Imported {
        codings = codings == null ? List.of() : List.copyOf(codings);
        categories = categories == null ? List.of() : List.copyOf(categories);
    }

    /** A code of a terminology as sent: system URI (null for a FHIR code such as an allergy category), code, display. */
    public record Code(String system, String code, String display) {
    }

    /**
     * Someone the source names (a requester, a recorder, a performer): {@code partyId} is the external party the import
     * recorded under that identifier, when it did; otherwise only what the source wrote (its display) is kept. {@code type}
     * is the FHIR resource type the source referred to (Practitioner, Organization).
     */
    public record Party(Long partyId, String type, String system, String value, String name) {
    }

    /** A measured value as sent, before conversion to the unit the record keeps. */
    public record Quantity(BigDecimal value, String unit, String system, String code) {
    }

    /** The same, with the value as measured before conversion. */
    public Imported withOriginal(Quantity measured) {
        return new Imported(codings, categories, status, verification, intent, criticality, recorded, start, end, party, measured);
    }

    /** Only a value as measured: a measurement made here in another unit than the record's. */
    public static Imported measured(Quantity measured) {
        return new Imported(null, null, null, null, null, null, null, null, null, null, measured);
    }

    public String toJson() {
        return JSON.writeValueAsString(this);
    }

    public static Imported fromJson(String json) {
        return json == null ? null : JSON.readValue(json, Imported.class);
    }
}
