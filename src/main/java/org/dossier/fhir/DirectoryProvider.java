package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

import java.util.function.Function;

/**
 * A resource of the directory (facilities, units, staff): no patient data, so any signed-in staff member reads it, as
 * they would the hospital's phone book; no gateway decision, nothing audited.
 */
abstract class DirectoryProvider<T extends Resource> extends TypedProvider<T> {

    private final Function<IdType, T> find;

    /** @param find the entry an id names, as FHIR (404 when there is none) */
    DirectoryProvider(Class<T> type, Function<IdType, T> find) {
        super(type);
        this.find = find;
    }

    @Read
    public T read(@IdParam IdType id, HttpServletRequest request) {
        FhirActor.current(request);
        return find.apply(id);
    }
}
