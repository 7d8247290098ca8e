package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The patient's invoices over real HTTP (ADR 0040): read-only, through the gateway (billing section, PATIENT_SELF,
 * audited), issued ones only; another patient's are never shown.
 */
class PortalInvoiceTest extends IntegrationTest {

    private long patientWithStay(String family) {
        long patient = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, PatientJson.valid(family, "Fanny"))).json().get("id").asLong();
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "kind", "EMERGENCY", "unitId", fixtures().unit(1, "URG"),
                "attendingId", fixtures().staffId("er.physician"), "reason", "sprained ankle"));
        return patient;
    }

    private PortalSession enrolled(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        String birth = identity(patientId).birthDate().toString();
        return PortalSession.enrolled(port, r.json().get("code").asString(), birth, PortalTest.username(), PortalTest.PASSWORD);
    }

    @Test
    void thePatientSeesTheirIssuedInvoicesNotDraftsAndNotAnotherPatients() {
        long p = patientWithStay("Facturée");
        long stay = jdbc.sql("select max(id) from stay where patient_id = ?").param(p).query(Long.class).single();
        Api clerk = as("billing");
        Api.Response opened = clerk.post("/api/invoices", Map.of("patientId", p, "stayId", stay));
        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);
        long invoice = opened.json().get("id").asLong();
        clerk.post("/api/invoices/" + invoice + "/lines", Map.of("version", 1, "actCode", "ATM"));
        PortalSession patient = enrolled(p);
        assertThat(patient.page("/portal/invoices").body()).as("a draft is the office's work").doesNotContain("id=\"invoice-" + invoice + "\"");

        assertThat(clerk.post("/api/invoices/" + invoice + "/issue", Map.of("version", 2)).status()).isEqualTo(200);
        Api.Response page = patient.page("/portal/invoices");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"invoice-" + invoice + "\"").contains("To pay");
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and resource_type = 'Invoice' and actor_roles = 'PATIENT'
                           and reason_code = 'PATIENT_SELF' and decision = 'ALLOW'""").param(p).query(Long.class).single())
                .as("each read is the gateway's, audited").isEqualTo(2);

        PortalSession other = enrolled(patientWithStay("Autrefacture"));
        assertThat(other.page("/portal/invoices").body()).doesNotContain("id=\"invoice-" + invoice + "\"").contains("No invoice");
    }
}
