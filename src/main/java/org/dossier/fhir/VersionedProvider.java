package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;
import org.dossier.platform.VersionLog;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Read, vread and history of a record its module keeps in versions ({@link VersionLog}): the one template of every such
 * resource. The owning service reads (its gateway decision and audit entry), this maps; a subclass adds create, update
 * and search, each in its own file with its mapping.
 *
 * @param <T> the FHIR resource served
 * @param <R> the module's record it is made from
 */
abstract class VersionedProvider<T extends Resource, R> extends TypedProvider<T> {

    private final Function<R, T> mapping;
    private final BiFunction<Actor, Long, VersionLog.Dated<R>> reading;
    private final BiFunction<Actor, Long, List<VersionLog.Version<R>>> versions;

    /**
     * @param reading  the service's read of the current version, with the time it was recorded (null when not kept)
     * @param versions the service's history of the record, newest first
     */
    VersionedProvider(Class<T> type, Function<R, T> mapping, BiFunction<Actor, Long, VersionLog.Dated<R>> reading,
                      BiFunction<Actor, Long, List<VersionLog.Version<R>>> versions) {
        super(type);
        this.mapping = mapping;
        this.reading = reading;
        this.versions = versions;
    }

    /** The record's number in its FHIR id, or 404: read after the actor, so that a refusal is audited like any other. */
    long idOf(IdType id) {
        return FhirIds.id(id);
    }

    /** Read, and vread of the versions kept. */
    @Read(version = true)
    public T read(@IdParam IdType id, HttpServletRequest request) {
        if (id.hasVersionIdPart()) {
            return Versions.version(history(id, request), id);
        }
        Actor actor = FhirActor.current(request);
        VersionLog.Dated<R> current = reading.apply(actor, idOf(id));
        return Versions.changedAt(mapping.apply(current.record()), current.recordedAt());
    }

    @History
    public List<T> history(@IdParam IdType id, HttpServletRequest request) {
        Actor actor = FhirActor.current(request);
        return versions.apply(actor, idOf(id)).stream()
                .map(v -> Versions.versioned(mapping.apply(v.record()), v.version(), v.recordedAt())).toList();
    }
}
