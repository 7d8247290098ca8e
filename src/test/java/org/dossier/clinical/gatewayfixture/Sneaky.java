package org.dossier.clinical.gatewayfixture;

import org.dossier.audit.HistoryChain;
import org.dossier.clinical.gatewayfixture.bulk.FixtureBulkLoader;
import org.dossier.clinical.gatewayfixture.proof.ForgeableProof;
import org.dossier.platform.bulk.BulkLoad;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.sql.Connection;

/** Everything the bulk and proof rules forbid, from outside the demo, platform and access. */
public abstract class Sneaky {

    protected Sneaky(@Qualifier("owner") DataSource owner) {
    }

    Object forge() {
        return new ForgeableProof();
    }

    void load() {
        new FixtureBulkLoader().load();
    }

    Connection ownerConnection(BulkLoad.Session session) {
        return session.connection();
    }

    HistoryChain.Checkpoint sign(HistoryChain chain) {
        return chain.checkpoint(1, "0", java.time.Instant.EPOCH);
    }
}
