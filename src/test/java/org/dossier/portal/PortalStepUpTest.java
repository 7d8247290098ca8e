package org.dossier.portal;

import org.dossier.identity.TotpService;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Confirm it is you" over real HTTP (ADR 0049): the page a download sends to when the last code is more than five
 * minutes old (the rule itself: PortalSessionLifetimeTest), a wrong code refused and audited, a good one audited as a
 * confirmation and leading back to the download — and only to a page of the portal.
 */
class PortalStepUpTest extends IntegrationTest {

    @Test
    void aGoodCodeLeadsBackToTheDownloadAWrongOneIsRefusedAndAuditedAndNoOtherSiteIsEverTheNextStep() {
        long patientId = fixtures().patient();
        String birth = identity(patientId).birthDate().toString();
        String code = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of()).json().get("code").asString();
        String username = "stepup." + Long.toString(System.nanoTime() % 1_000_000, 36);
        PortalSession patient = PortalSession.enrolled(port, code, birth, username, PortalTest.PASSWORD);

        Api.Response page = patient.page("/portal/confirm?next=/portal/accesses.csv");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"portal-confirm\"").contains("value=\"/portal/accesses.csv\"");

        Api.Response wrong = patient.form("/portal/confirm", Map.of("code", "000000", "next", "/portal/accesses.csv"));
        assertThat(wrong.status()).isEqualTo(200);
        assertThat(wrong.body()).contains("id=\"portal-confirm\"");
        assertThat(jdbc.sql("select count(*) from audit_entry where action = 'PORTAL:SIGN_IN_FAILED' and actor_username = ?")
                .param(PortalSession.actorOf(jdbc, patientId)).query(Long.class).single()).isEqualTo(1);

        // The sign-in used a later time step of the authenticator; the confirmation types the code of the step now shown.
        jdbc.sql("update portal_account set totp_last_step = 0 where patient_id = ? and status = 'ACTIVE'").param(patientId).update();
        Api.Response good = patient.form("/portal/confirm", Map.of("code", TotpService.codeAt(patient.secret(), Instant.now()),
                "next", "/portal/accesses.csv"));
        assertThat(good.status()).isEqualTo(302);
        assertThat(good.header("Location")).endsWith("/portal/accesses.csv");
        assertThat(jdbc.sql("select count(*) from audit_entry where action = 'PORTAL:SIGN_IN' and actor_username = ? and detail like '%step-up%'")
                .param(PortalSession.actorOf(jdbc, patientId)).query(Long.class).single()).isEqualTo(1);
        assertThat(patient.page("/portal/accesses.csv").status()).isEqualTo(200);

        for (String elsewhere : new String[]{"https://evil.example/", "//evil.example/portal/x", "/portal/../api/patients", "/api/me"}) {
            jdbc.sql("update portal_account set totp_last_step = 0 where patient_id = ? and status = 'ACTIVE'").param(patientId).update();
            Api.Response away = patient.form("/portal/confirm", Map.of("code", TotpService.codeAt(patient.secret(), Instant.now()),
                    "next", elsewhere));
            assertThat(away.header("Location")).as(elsewhere).endsWith("/portal/record");
        }
    }
}
