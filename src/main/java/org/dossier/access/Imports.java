package org.dossier.access;

import org.dossier.organization.Actor;
import org.springframework.stereotype.Service;

import java.util.function.Supplier;

/**
 * Imports of records from another system, as the gateway allows them: an administrator starts a run for one
 * facility, and the work done within it may register patients and write their history, nothing else.
 */
@Service
public class Imports {

    private final AccessGateway gateway;

    Imports(AccessGateway gateway) {
        this.gateway = gateway;
    }

    /** Starts a run (403, audited, unless an administrator of the facility; a browser session needs a fresh second factor). */
    public ImportRun begin(Actor actor, int facilityId, String source) {
        return gateway.beginImport(actor, facilityId, source);
    }

    /** Runs {@code work} as the run: its actor is confined to the patients the run registers. */
    public <T> T within(ImportRun run, Supplier<T> work) {
        return gateway.within(run, work);
    }
}
