package org.dossier.fhir;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;

import java.util.Map;

/**
 * Pages of search results, kept in memory for the next-page links: a page is served only to the staff member whose
 * search produced it (its entries were audited and charged to them), never to whoever holds the link. Pages are
 * at most 20 entries, as every bounded answer here.
 */
class OwnedPages extends FifoMemoryPagingProvider {

    static final int PAGE_SIZE = 20;
    private static final int KEPT = 500;

    private final FhirCalls calls;
    /** Who made each kept page, forgotten in the same first-in-first-out order as the pages themselves. */
    private final Map<String, Long> owners = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > KEPT;
        }
    };

    OwnedPages(FhirCalls calls) {
        super(KEPT);
        this.calls = calls;
        setDefaultPageSize(PAGE_SIZE);
        setMaximumPageSize(PAGE_SIZE);
    }

    @Override
    public synchronized String storeResultList(RequestDetails request, IBundleProvider results) {
        String id = super.storeResultList(request, results);
        Actor actor = actorOf(request);
        if (actor != null) {
            owners.put(id, actor.staffId());
        }
        return id;
    }

    @Override
    public synchronized IBundleProvider retrieveResultList(RequestDetails request, String id) {
        Long owner = owners.get(id);
        Actor actor = actorOf(request);
        if (owner == null || actor == null || actor.staffId() != owner) {
            // Answered as expired: whether someone else's search exists is not told.
            throw new ResourceGoneException("This page of results has expired or is not yours: search again");
        }
        return super.retrieveResultList(request, id);
    }

    private Actor actorOf(RequestDetails request) {
        if (!(request instanceof ServletRequestDetails servlet)) {
            return null;
        }
        HttpServletRequest http = servlet.getServletRequest();
        Object known = http.getAttribute(Actor.REQUEST_ATTRIBUTE);
        return known instanceof Actor a ? a : calls.current(http);
    }
}
