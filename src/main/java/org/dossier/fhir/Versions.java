package org.dossier.fhir;

import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.r4.model.IdType;

import java.util.List;

/** The versions of a record as FHIR shows them: vread among the versions kept, and the time a version was recorded. */
final class Versions {

    private Versions() {
    }

    /**
     * The version {@code id} names among a resource's versions (vread, newest first): 410 for a version older than the
     * oldest kept (it existed, the history here does not hold it — records loaded in bulk keep their version at
     * loading only), 404 for one that never existed.
     */
    static <T extends org.hl7.fhir.r4.model.Resource> T version(List<T> versions, IdType id) {
        String name = (id.hasResourceType() ? id.getResourceType() + "/" : "") + id.getIdPart();
        String asked = id.getVersionIdPart();
        return versions.stream().filter(v -> v.getMeta().getVersionId().equals(asked)).findFirst().orElseThrow(() -> {
            int oldest = versions.stream().mapToInt(v -> Integer.parseInt(v.getMeta().getVersionId())).min().orElse(Integer.MAX_VALUE);
            if (asked.matches("\\d{1,9}") && Integer.parseInt(asked) >= 1 && Integer.parseInt(asked) < oldest && oldest != Integer.MAX_VALUE) {
                return new ca.uhn.fhir.rest.server.exceptions.ResourceGoneException("Version " + asked + " of " + name
                        + " is not kept: its history here starts at version " + oldest + " (see " + name + "/_history)");
            }
            return new NotKept("No version " + asked + " of " + name + " (see " + name + "/_history)");
        });
    }

    /**
     * A 404 for a version the record never had. The record itself was read (and audited) to know it, so this is not a
     * refusal to audit: {@link FhirCalls} answers it as it is.
     */
    static final class NotKept extends ResourceNotFoundException {
        NotKept(String message) {
            super(message);
        }
    }

    /** A record as served: its id and version number, said the same way for every resource type. */
    static <T extends org.hl7.fhir.r4.model.Resource> T identified(T resource, long id, int version) {
        resource.setId(Long.toString(id));
        resource.getMeta().setVersionId(Integer.toString(version));
        return resource;
    }

    /** A record as served with the time its current version was recorded ({@code meta.lastUpdated}). */
    static <T extends org.hl7.fhir.r4.model.Resource> T identified(T resource, long id, int version, java.time.Instant recordedAt) {
        return versioned(identified(resource, id, version), version, recordedAt);
    }

    /** One version of a record's history as served: its version number and the time it was recorded. */
    static <T extends org.hl7.fhir.r4.model.Resource> T versioned(T resource, int version, java.time.Instant recordedAt) {
        resource.getMeta().setVersionId(Integer.toString(version)).setLastUpdated(java.util.Date.from(recordedAt));
        return resource;
    }

    /** A resource read now, with the time its version was recorded (the answer's Last-Modified) when it is kept. */
    static <T extends org.hl7.fhir.r4.model.Resource> T changedAt(T resource, java.time.Instant at) {
        if (at != null) {
            resource.getMeta().setLastUpdated(java.util.Date.from(at));
        }
        return resource;
    }
}
