package org.dossier.fhir;

import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;

import java.util.List;

/** A provider of one resource type: what HAPI asks of every provider, said once. */
abstract class TypedProvider<T extends IBaseResource> implements IResourceProvider {

    private final Class<T> type;

    TypedProvider(Class<T> type) {
        this.type = type;
    }

    @Override
    public Class<T> getResourceType() {
        return type;
    }

    /** An id made of a record's number and what of it the resource is ({@code <number>-<rest>}), and who asks. */
    record CompoundId(String part, long number, Actor actor) {
    }

    /**
     * The id of a resource served from a part of another record, once the actor is known (a 401 comes before a 404);
     * one not of the form {@code <number>-<rest>} is 404, saying the {@code form} such ids take.
     */
    CompoundId compoundId(IdType id, String rest, String form, HttpServletRequest request) {
        String part = id.getIdPart() == null ? "" : id.getIdPart();
        Actor actor = FhirActor.current(request);
        if (!part.matches("\\d{1,18}-" + rest)) {
            throw new ResourceNotFoundException("No " + type.getSimpleName() + " " + part + ": " + form);
        }
        return new CompoundId(part, Long.parseLong(part.substring(0, part.indexOf('-'))), actor);
    }

    /** The one of {@code all} that the id names, else 404. */
    T named(List<T> all, String part) {
        return all.stream().filter(r -> r.getIdElement().getIdPart().equals(part)).findFirst()
                .orElseThrow(() -> new ResourceNotFoundException("No " + type.getSimpleName() + " " + part));
    }
}
