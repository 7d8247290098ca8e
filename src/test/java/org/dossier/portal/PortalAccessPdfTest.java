package org.dossier.portal;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Who opened my record" as a PDF, over real HTTP (ADR 0044): it parses, holds the access a clinician just made with its
 * role, reason in plain words and audit entry number, is read under the gateway's PATIENT_SELF decision (audited), and
 * holds nothing of another patient's accesses.
 */
class PortalAccessPdfTest extends IntegrationTest {

    private PortalSession enrolled(long patientId) {
        String code = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of()).json().get("code").asString();
        String birth = identity(patientId).birthDate().toString();
        return PortalSession.enrolled(port, code, birth, PortalTest.username(), PortalTest.PASSWORD);
    }

    @Test
    void theAccessListAsAPdfParsesAndHoldsTheRows() throws Exception {
        long p = fixtures().patientInCare();
        long other = fixtures().patientInCare();
        PortalSession patient = enrolled(p);
        assertThat(as("physician").get("/api/patients/" + p + "/chart").status()).isEqualTo(200);
        assertThat(as("physician").get("/api/patients/" + other + "/chart").status()).isEqualTo(200);
        long seq = jdbc.sql("select max(seq) from audit_entry where patient_id = ? and actor_username = 'physician'").param(p)
                .query(Long.class).single();
        long othersSeq = jdbc.sql("select max(seq) from audit_entry where patient_id = ? and actor_username = 'physician'").param(other)
                .query(Long.class).single();
        long reportsBefore = jdbc.sql("select count(*) from audit_entry where patient_id = ? and resource_type = 'AccessReport'"
                + " and reason_code = 'PATIENT_SELF'").param(p).query(Long.class).single();

        Api.Response head = patient.get("/portal/accesses.pdf");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Type")).isEqualTo("application/pdf");
        assertThat(head.header("Content-Disposition")).isEqualTo("attachment; filename=\"accesses-to-my-record.pdf\"");
        byte[] pdf = patient.bytes("/portal/accesses.pdf");
        try (PDDocument d = Loader.loadPDF(pdf)) {
            String text = new PDFTextStripper().getText(d).replaceAll("\\s+", " ");
            assertThat(text).contains("Who opened my record").contains("PHYSICIAN").contains("a member of your care team (CARE_TEAM)")
                    .contains("entry " + seq + " of the audit trail").doesNotContain("entry " + othersSeq + " ");
        }
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and resource_type = 'AccessReport'"
                        + " and reason_code = 'PATIENT_SELF'").param(p).query(Long.class).single())
                .as("each download is a gateway decision, audited").isEqualTo(reportsBefore + 2);
    }
}
