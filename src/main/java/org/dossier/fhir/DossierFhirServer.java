package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.ResourceBinding;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.RestfulServer;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * The FHIR R4 server: resource providers that call the modules' services, so that the gateway, the audit trail
 * and the guard apply exactly as for the REST API. JSON by default; the CapabilityStatement at /fhir/metadata is
 * generated from the providers, so it says exactly what is supported.
 */
@Component
class DossierFhirServer extends RestfulServer {

    DossierFhirServer(FhirContext context, List<IResourceProvider> providers, ImportProvider imports, FhirCalls calls, ImportOrigins origins) {
        super(context);
        setPagingProvider(new OwnedPages(calls));
        setResourceProviders(providers.toArray(IResourceProvider[]::new));
        setPlainProviders(imports);
        setDefaultResponseEncoding(EncodingEnum.JSON);
        setDefaultPrettyPrint(false);
        setServerName("Dossier");
        setImplementationDescription("Dossier hospital EPR — FHIR R4 facade");
        registerInterceptor(calls);
        registerInterceptor(RestSemantics.interceptor());
        registerInterceptor(origins);
        registerInterceptor(SmartScopes.interceptor());
    }

    /** HAPI's choice of the provider method, with the REST semantics of the spec around it ({@link RestSemantics}). */
    @Override
    public BaseMethodBinding determineResourceMethod(RequestDetails request, String path) {
        ResourceBinding binding = request.getResourceName() == null ? null : getResourceBindings().stream()
                .filter(b -> request.getResourceName().equals(b.getResourceName())).findFirst().orElse(null);
        RestSemantics.prepare(request, binding);
        BaseMethodBinding method;
        try {
            method = super.determineResourceMethod(request, path);
        } catch (InvalidRequestException e) {
            throw RestSemantics.noMethod(request, binding, e);
        }
        RestSemantics.checkConditional(request, method);
        return method;
    }

    /**
     * The request's one id: the one the request-id filter gave it (the caller's X-Request-Id when sane), which every audit
     * entry of the request carries, rather than HAPI's own, so that the id a FHIR answer echoes finds its audit entries.
     */
    @Override
    protected String getOrCreateRequestId(HttpServletRequest request) {
        String id = MDC.get("requestId");
        return id != null ? id : super.getOrCreateRequestId(request);
    }
}
