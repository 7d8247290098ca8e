package org.dossier.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.method.BaseQueryParameter;
import ca.uhn.fhir.rest.server.method.CountParameter;
import ca.uhn.fhir.rest.server.method.IParameter;
import ca.uhn.fhir.rest.server.method.OffsetParameter;
import ca.uhn.fhir.rest.server.method.RawParamsParameter;
import ca.uhn.fhir.rest.server.method.SearchMethodBinding;
import ca.uhn.fhir.rest.server.method.SortParameter;
import ca.uhn.fhir.rest.server.ResourceBinding;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the FHIR R4 RESTful API says a server does around the interactions themselves, where HAPI's plain server does
 * otherwise: 405 for an interaction a type does not have, unknown search parameters ignored and reported (400 only with
 * {@code Prefer: handling=strict}), history Bundles whose entries carry their request and response, and
 * {@code _summary=text} as the resource's text, id, meta and mandatory elements rather than a bare HTML narrative.
 */
@Interceptor
final class RestSemantics {

    /** The parameters every search honours whatever the type: the answer's shape, not a criterion. */
    private static final Set<String> RESULT_PARAMETERS = Set.of(Constants.PARAM_FORMAT, Constants.PARAM_PRETTY, Constants.PARAM_SUMMARY,
            Constants.PARAM_ELEMENTS, Constants.PARAM_COUNT);
    private static final String IGNORED = RestSemantics.class.getName() + ".ignored";
    private static final String IGNORED_INCLUDES = RestSemantics.class.getName() + ".ignoredIncludes";
    private static final String TEXT_ELEMENTS = "text,id,meta,(mandatory)";

    private RestSemantics() {
    }

    static RestSemantics interceptor() {
        return new RestSemantics();
    }

    // ---- before the method is chosen (called by DossierFhirServer.determineResourceMethod) ----

    /**
     * Prepares a request before HAPI picks the provider method: unknown search parameters are taken out (and kept to be
     * reported) or refused under {@code Prefer: handling=strict}; {@code _summary=text} on a read becomes the elements
     * FHIR defines for it.
     */
    static void prepare(RequestDetails request, ResourceBinding binding) {
        if (binding == null) {
            return;
        }
        elementsKeepMandatory(request);
        if (isTypeSearch(request)) {
            dropUnknownSearchParameters(request, binding);
        } else if (request.getRequestType() == RequestTypeEnum.GET && request.getId() != null && request.getOperation() == null) {
            summaryTextAsElements(request);
        }
    }

    /**
     * The answer when HAPI found no method for a request: 405 (with the methods the address takes) when the type has no
     * such interaction at all — DELETE, PATCH, an update of a type that is never updated, type-level history — and
     * HAPI's own 400 when the interaction exists but the request does not fit it (a search without its required patient).
     */
    static RuntimeException noMethod(RequestDetails request, ResourceBinding binding, InvalidRequestException hapi) {
        if (binding == null) {
            return hapi;
        }
        RestOperationTypeEnum asked = interaction(request);
        if (asked == null) {
            return hapi;
        }
        Set<RestOperationTypeEnum> served = EnumSet.noneOf(RestOperationTypeEnum.class);
        for (BaseMethodBinding m : binding.getMethodBindings()) {
            served.add(m.getRestOperationType());
            if (m.getRestOperationType() == RestOperationTypeEnum.VREAD) {
                served.add(RestOperationTypeEnum.READ); // a @Read(version = true) serves both
            }
        }
        if (served.contains(asked)) {
            return hapi;
        }
        String what = switch (asked) {
            case DELETE -> "Nothing is deleted here: a record is corrected or marked entered in error, and every version stays readable";
            case PATCH -> "PATCH is not supported: send the whole resource with PUT and If-Match";
            case UPDATE -> binding.getResourceName() + " is not updated over FHIR";
            case CREATE -> binding.getResourceName() + " is not created over FHIR";
            case HISTORY_TYPE -> "History is kept per record: ask for " + binding.getResourceName()
                    + "/<id>/_history (a type-wide history would list every patient's changes)";
            case HISTORY_INSTANCE -> binding.getResourceName() + " keeps no versions to list";
            case READ, VREAD -> binding.getResourceName() + " is not read by id here";
            case SEARCH_TYPE -> binding.getResourceName() + " is not searched here";
            default -> "This interaction is not supported on " + binding.getResourceName();
        };
        RequestTypeEnum[] allowed = allowed(request, served);
        if (allowed.length == 0) {
            // Nothing at all at this address (type-level history): HAPI's exception can carry no empty Allow.
            return new MethodNotAllowedException(what + " (see /fhir/metadata)");
        }
        return new MethodNotAllowedException(what + " (see /fhir/metadata)", allowed);
    }

    /**
     * A conditional create ({@code If-None-Exist}) on a type that cannot evaluate it is refused: HAPI would ignore the
     * header and create a duplicate, the very thing the client asked to avoid.
     */
    static void checkConditional(RequestDetails request, BaseMethodBinding method) {
        if (method.getRestOperationType() == RestOperationTypeEnum.CREATE && request.getHeader(Constants.HEADER_IF_NONE_EXIST) != null
                && !method.isSupportsConditional()) {
            throw new InvalidRequestException("If-None-Exist is not supported for " + request.getResourceName()
                    + ": its records carry no identifier to match on. Search first, or create without it (see /fhir/metadata)");
        }
    }

    /** The interaction a request asks for, from its method and the shape of its address; null for anything else. */
    private static RestOperationTypeEnum interaction(RequestDetails request) {
        boolean id = request.getId() != null && request.getId().hasIdPart();
        String operation = request.getOperation();
        return switch (request.getRequestType()) {
            case DELETE -> RestOperationTypeEnum.DELETE;
            case PATCH -> RestOperationTypeEnum.PATCH;
            case PUT -> RestOperationTypeEnum.UPDATE;
            case POST -> operation == null && !id ? RestOperationTypeEnum.CREATE
                    : Constants.PARAM_SEARCH.equals(operation) && !id ? RestOperationTypeEnum.SEARCH_TYPE : null;
            case GET, HEAD -> Constants.PARAM_HISTORY.equals(operation)
                    ? id ? request.getId().hasVersionIdPart() ? RestOperationTypeEnum.VREAD : RestOperationTypeEnum.HISTORY_INSTANCE
                    : RestOperationTypeEnum.HISTORY_TYPE
                    : operation != null ? null : id ? RestOperationTypeEnum.READ : RestOperationTypeEnum.SEARCH_TYPE;
            default -> null;
        };
    }

    /** The methods the same address takes (the Allow header of the 405). */
    private static RequestTypeEnum[] allowed(RequestDetails request, Set<RestOperationTypeEnum> served) {
        boolean id = request.getId() != null && request.getId().hasIdPart();
        List<RequestTypeEnum> methods = new ArrayList<>();
        if (id && Constants.PARAM_HISTORY.equals(request.getOperation())) {
            if (served.contains(RestOperationTypeEnum.HISTORY_INSTANCE) || served.contains(RestOperationTypeEnum.VREAD)) {
                methods.add(RequestTypeEnum.GET);
            }
        } else if (id) {
            if (served.contains(RestOperationTypeEnum.READ)) {
                methods.add(RequestTypeEnum.GET);
            }
            if (served.contains(RestOperationTypeEnum.UPDATE)) {
                methods.add(RequestTypeEnum.PUT);
            }
        } else if (request.getOperation() == null) {
            if (served.contains(RestOperationTypeEnum.SEARCH_TYPE)) {
                methods.add(RequestTypeEnum.GET);
            }
            if (served.contains(RestOperationTypeEnum.CREATE)) {
                methods.add(RequestTypeEnum.POST);
            }
        }
        return methods.toArray(RequestTypeEnum[]::new);
    }

    private static boolean isTypeSearch(RequestDetails request) {
        boolean id = request.getId() != null && request.getId().hasIdPart();
        return !id && request.getResourceName() != null && !request.getParameters().containsKey(Constants.PARAM_PAGINGACTION)
                && (request.getRequestType() == RequestTypeEnum.GET && request.getOperation() == null
                || request.getRequestType() == RequestTypeEnum.POST && Constants.PARAM_SEARCH.equals(request.getOperation()));
    }

    private static void dropUnknownSearchParameters(RequestDetails request, ResourceBinding binding) {
        Set<String> known = knownSearchParameters(binding);
        if (known == null) {
            return;
        }
        Map<String, String[]> applied = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, String[]> p : request.getParameters().entrySet()) {
            if (known.contains(baseName(p.getKey()))) {
                applied.put(p.getKey(), p.getValue());
            } else {
                ignored.add(p.getKey());
            }
        }
        if (ignored.isEmpty()) {
            return;
        }
        if (strict(request)) {
            throw new InvalidRequestException("Search parameters not supported for " + binding.getResourceName() + ": " + ignored
                    + " (Prefer: handling=strict; without it they are ignored and reported). Supported: " + known);
        }
        // Taken out before HAPI matches the method and builds the self link: the link then shows what was applied.
        request.setParameters(applied);
        request.getUserData().put(IGNORED, List.copyOf(ignored));
    }

    /**
     * The parameters the type's search methods take, with the result parameters; null when a method reads every parameter
     * itself, or when the type is not searched (405, not a parameter's fault).
     */
    private static Set<String> knownSearchParameters(ResourceBinding binding) {
        Set<String> known = new TreeSet<>(RESULT_PARAMETERS);
        boolean anySearch = false;
        for (BaseMethodBinding m : binding.getMethodBindings()) {
            if (!(m instanceof SearchMethodBinding search)) {
                continue;
            }
            anySearch = true;
            for (IParameter p : search.getParameters()) {
                if (p instanceof RawParamsParameter) {
                    return null;
                } else if (p instanceof BaseQueryParameter q) {
                    known.add(q.getName());
                } else if (p instanceof SortParameter) {
                    known.add(Constants.PARAM_SORT);
                } else if (p instanceof CountParameter) {
                    known.add(Constants.PARAM_COUNT);
                } else if (p instanceof OffsetParameter) {
                    known.add(Constants.PARAM_OFFSET);
                }
            }
        }
        return anySearch ? known : null;
    }

    /** A parameter's name without its modifier ({@code family:exact}) or chain ({@code subject.name}). */
    private static String baseName(String parameter) {
        int end = parameter.length();
        for (char c : new char[] {':', '.'}) {
            int at = parameter.indexOf(c);
            if (at > 0 && at < end) {
                end = at;
            }
        }
        return parameter.substring(0, end);
    }

    private static boolean strict(RequestDetails request) {
        List<String> prefer = request.getHeaders(Constants.HEADER_PREFER);
        if (prefer == null) {
            return false;
        }
        for (String header : prefer) {
            for (String part : header.toLowerCase(Locale.ROOT).split("[,;]")) {
                if (part.replace(" ", "").equals("handling=strict")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * HAPI answers a single resource's {@code _summary=text} with the bare narrative as text/html (and "null" when there
     * is none); FHIR's summary is the resource with its text, id, meta and mandatory elements, which {@code _elements}
     * expresses exactly.
     */
    /**
     * {@code _elements} keeps the mandatory elements besides those asked for, as the spec says a server should: a
     * Condition served with its {@code code} alone would lack its {@code subject} and be invalid, and a client could not
     * tell whose it is.
     */
    private static void elementsKeepMandatory(RequestDetails request) {
        String[] elements = request.getParameters().get(Constants.PARAM_ELEMENTS);
        if (elements == null || elements.length == 0 || java.util.Arrays.stream(elements).anyMatch(e -> e.contains("(mandatory)"))) {
            return;
        }
        Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameters());
        String[] kept = elements.clone();
        kept[0] = kept[0] + ",(mandatory)";
        parameters.put(Constants.PARAM_ELEMENTS, kept);
        request.setParameters(parameters);
    }

    private static void summaryTextAsElements(RequestDetails request) {
        String[] summary = request.getParameters().get(Constants.PARAM_SUMMARY);
        if (summary == null || summary.length != 1 || !"text".equals(summary[0])
                || request.getParameters().containsKey(Constants.PARAM_ELEMENTS)) {
            return;
        }
        Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameters());
        parameters.remove(Constants.PARAM_SUMMARY);
        parameters.put(Constants.PARAM_ELEMENTS, new String[] {TEXT_ELEMENTS});
        request.setParameters(parameters);
    }

    // ---- on the way out ----

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean outgoing(RequestDetails request, ResponseDetails response) {
        if (response.getResponseResource() instanceof Bundle bundle) {
            if (bundle.getType() == Bundle.BundleType.HISTORY) {
                historyEntries(bundle);
            } else if (bundle.getType() == Bundle.BundleType.SEARCHSET) {
                reportIgnored(request, bundle);
            }
        }
        return true;
    }

    /**
     * bdl-3/bdl-4: every history entry says how its version came to be — version 1 a create (POST to the type), later
     * ones an update (PUT to the record) — and what the server answered then.
     */
    private static void historyEntries(Bundle bundle) {
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource r = entry.getResource();
            if (r == null) {
                continue;
            }
            String type = r.fhirType();
            String id = r.getIdElement().getIdPart();
            String version = r.getMeta().hasVersionId() ? r.getMeta().getVersionId() : r.getIdElement().getVersionIdPart();
            boolean first = version == null || "1".equals(version);
            if (!entry.hasRequest()) {
                entry.getRequest().setMethod(first ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT).setUrl(first ? type : type + "/" + id);
            }
            if (!entry.hasResponse() || !entry.getResponse().hasStatus()) {
                entry.getResponse().setStatus(first ? "201 Created" : "200 OK");
            }
            if (version != null && !entry.getResponse().hasEtag()) {
                entry.getResponse().setEtag(RestfulServerUtils.createEtag(version));
            }
            if (r.getMeta().hasLastUpdated() && !entry.getResponse().hasLastModified()) {
                entry.getResponse().setLastModified(r.getMeta().getLastUpdated());
            }
        }
    }

    /** Records an include a search did not serve, and why, for the answer's OperationOutcome entry. */
    static void ignoredInclude(RequestDetails request, String include, String why) {
        if (request == null) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> ignored = (Map<String, String>) request.getUserData().computeIfAbsent(IGNORED_INCLUDES, k -> new LinkedHashMap<>());
        ignored.putIfAbsent(include, why);
    }

    /**
     * The search parameters that were not applied, and the includes not served, in an OperationOutcome entry of the
     * searchset (search mode outcome).
     */
    private static void reportIgnored(RequestDetails request, Bundle bundle) {
        @SuppressWarnings("unchecked")
        List<String> ignored = (List<String>) request.getUserData().getOrDefault(IGNORED, List.of());
        @SuppressWarnings("unchecked")
        Map<String, String> includes = (Map<String, String>) request.getUserData().getOrDefault(IGNORED_INCLUDES, Map.of());
        if (ignored.isEmpty() && includes.isEmpty()) {
            return;
        }
        OperationOutcome outcome = new OperationOutcome();
        outcome.setId(java.util.UUID.randomUUID().toString());
        for (String p : ignored) {
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.WARNING).setCode(OperationOutcome.IssueType.NOTSUPPORTED)
                    .setDiagnostics("Search parameter '" + p + "' is not supported for " + request.getResourceName()
                            + " and was ignored (send Prefer: handling=strict to have it refused)");
        }
        includes.forEach((include, why) -> outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.WARNING)
                .setCode(OperationOutcome.IssueType.NOTSUPPORTED).setDiagnostics(include + " was ignored: " + why));
        bundle.addEntry().setFullUrl("urn:uuid:" + outcome.getIdElement().getIdPart()).setResource(outcome)
                .getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
    }
}
