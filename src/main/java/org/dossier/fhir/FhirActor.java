package org.dossier.fhir;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;

/** Who a provider method works for: the one call a method makes before it touches a module's service. */
final class FhirActor {

    private FhirActor() {
    }

    /**
     * The authenticated actor of this FHIR request, narrowed to a SMART app's scopes (401 when none is signed in, 403
     * outside the scopes). From this call on, what the method throws is answered by {@link FhirCalls} with the
     * platform's error vocabulary.
     */
    static Actor current(HttpServletRequest request) {
        if (!(request.getAttribute(FhirCalls.class.getName()) instanceof FhirCalls calls)) {
            throw new IllegalStateException("Not a request of the FHIR server");
        }
        return calls.actor(request);
    }
}
