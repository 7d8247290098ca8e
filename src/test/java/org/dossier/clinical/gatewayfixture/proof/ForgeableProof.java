package org.dossier.clinical.gatewayfixture.proof;

/** A proof that is neither final nor guarded by its constructor. */
public class ForgeableProof {

    public ForgeableProof() {
    }
}
