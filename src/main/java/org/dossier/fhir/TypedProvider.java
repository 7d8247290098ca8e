package org.dossier.fhir;

import ca.uhn.fhir.rest.server.IResourceProvider;
import org.hl7.fhir.instance.model.api.IBaseResource;

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
}
