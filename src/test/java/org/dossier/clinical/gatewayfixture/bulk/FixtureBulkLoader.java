package org.dossier.clinical.gatewayfixture.bulk;

/** A bulk loader: only the demo generator may reach it. */
public class FixtureBulkLoader {

    public void load() {
    }
}
