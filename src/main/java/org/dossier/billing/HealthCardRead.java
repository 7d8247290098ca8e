package org.dossier.billing;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A read of a Carte Vitale at a workstation: who holds the card, which beneficiary on it was chosen,
 * and the rights it carried at that moment. These reads are the "health-card usage" a hospital keeps.
 */
public record HealthCardRead(long id, int facilityId, long patientId, Instant readAt, String workstation, String cardHolderName,
                             String cardHolderNir, String beneficiaryName, int beneficiaryRank, Rights rights, long readBy) {

    /** The rights snapshot read from the card. */
    public record Rights(String amoScheme, String amoFund, String amoCentre, LocalDate validFrom, LocalDate validTo, String amcName,
                         boolean c2s, boolean ald) {
    }
}
