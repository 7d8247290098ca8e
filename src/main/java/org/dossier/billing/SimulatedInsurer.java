package org.dossier.billing;

import org.dossier.patient.Nir;
import org.springframework.stereotype.Component;

/**
 * A stand-in insurer that contacts no one: it accepts a claim whose amount is positive and whose
 * beneficiary NIR has a valid key, rejects it otherwise, and answers at the first acknowledgement poll.
 * Its answers depend only on the claim, so they survive a restart between sending and polling.
 */
@Component
class SimulatedInsurer implements InsurerGateway {

    @Override
    public String submit(Claim claim) {
        return String.format("LOT%06d", claim.id() % 1_000_000);
    }

    @Override
    public Answer answer(Claim claim) {
        if (!Nir.isValid(claim.beneficiaryNir())) {
            return new Answer(false, "NIR du bénéficiaire invalide");
        }
        if (claim.amountCents() <= 0) {
            return new Answer(false, "Montant nul");
        }
        return new Answer(true, null);
    }
}
