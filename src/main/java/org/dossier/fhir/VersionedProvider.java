package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.access.PatientAccess;
import org.dossier.organization.Actor;
import org.dossier.platform.VersionLog;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Read, vread and history of a record its module keeps in versions ({@link VersionLog}): the one template of every such
 * resource. The owning service reads (its gateway decision and audit entry), this maps; a subclass adds create, update
 * and search, each in its own file with its mapping (HAPI reads a search's parameters off its own method), their bodies
 * calling the steps below that every such type shares.
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
        // a crypto-shredded patient's versions keep their facts but no content (ADR 0047, 0052): nothing to serve of them
        return versions.apply(actor, idOf(id)).stream().filter(v -> v.record() != null)
                .map(v -> Versions.versioned(mapping.apply(v.record()), v.version(), v.recordedAt())).toList();
    }

    /** A service's record of a new record for a patient. */
    @FunctionalInterface
    interface Recording<I, R> {
        R record(Actor actor, long patient, I input);
    }

    /** A service's change of a record: the version the change was made against, and why. */
    @FunctionalInterface
    interface Changing<I, R> {
        R change(Actor actor, long id, int expected, I input, String reason);
    }

    /** Create, once the patient and the input are read off the resource (their refusals come before the actor's). */
    <I> MethodOutcome created(long patient, I input, HttpServletRequest request, Recording<I, R> service) {
        Actor actor = FhirActor.current(request);
        return Outcomes.created(mapping.apply(service.record(actor, patient, input)));
    }

    /** Update (If-Match the version changed, X-Dossier-Change-Reason why), once the input is read off the resource. */
    <I> MethodOutcome updated(IdType id, int expected, I input, HttpServletRequest request, Changing<I, R> service) {
        Actor actor = FhirActor.current(request);
        return Outcomes.updated(mapping.apply(service.change(actor, FhirIds.id(id), expected, input,
                FhirIds.changeReason(request))));
    }

    /** A patient's records as the service reads them, newest first, those {@code matches} keeps. */
    List<T> ofPatient(ReferenceParam patient, HttpServletRequest request, BiFunction<Actor, Long, List<R>> service,
                      Predicate<T> matches) {
        Actor actor = FhirActor.current(request);
        return service.apply(actor, PatientReference.patientOf(patient)).stream().map(mapping).filter(matches).toList();
    }

    /**
     * A patient's records that {@code matches} keeps, and what the includes name: one gateway decision, the chart opened
     * once ({@code under} it) when includes are asked, else the service's own ({@code alone}).
     */
    List<IBaseResource> compartment(CompartmentIncludes includes, ReferenceParam patient, Set<Include> include,
                                    Set<Include> revinclude, RequestDetails details, HttpServletRequest request,
                                    Function<PatientAccess, List<R>> under, BiFunction<Actor, Long, List<R>> alone,
                                    Predicate<T> matches) {
        long id = PatientReference.patientOf(patient);
        Actor actor = FhirActor.current(request);
        var found = includes.records(actor, id, include, revinclude, under, () -> alone.apply(actor, id));
        List<T> kept = found.records().stream().map(mapping).filter(matches).toList();
        return includes.with(found, getResourceType().getSimpleName(), kept, include, revinclude, details);
    }
}
