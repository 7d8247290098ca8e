package org.dossier.billing;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Polls the insurer for answers to sent claims, as a hospital's claims connector does. */
@Component
class ClaimAnswerPoller {

    private final BillingService billing;

    ClaimAnswerPoller(BillingService billing) {
        this.billing = billing;
    }

    @Scheduled(fixedDelayString = "${dossier.billing.poll-interval:PT1M}", initialDelayString = "${dossier.billing.poll-interval:PT1M}")
    void poll() {
        billing.collectAnswers();
    }
}
