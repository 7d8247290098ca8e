package org.dossier.billing;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BillingTest extends IntegrationTest {

    @Autowired
    BillingService billingService;

    /** A patient with coverage (valid NIR) and an emergency visit to bill. */
    private long[] patientWithStay() {
        Fixtures f = fixtures();
        Api.Response p = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, PatientJson.valid("Facturé", "Fanny")));
        long patient = p.json().get("id").asLong();
        long stay = as("frontdesk").post("/api/stays", Map.of("patientId", patient, "kind", "EMERGENCY", "unitId", f.unit(1, "URG"),
                "attendingId", f.staffId("er.physician"), "reason", "sprained ankle")).json().get("id").asLong();
        return new long[]{patient, stay};
    }

    @Test
    void anInvoiceGoesFromDraftToPaidAndIsClaimedFromTheInsurer() {
        long[] ps = patientWithStay();
        Api clerk = as("billing");
        JsonNode invoice = clerk.post("/api/invoices", Map.of("patientId", ps[0], "stayId", ps[1])).json();
        long id = invoice.get("id").asLong();
        clerk.post("/api/invoices/" + id + "/lines", Map.of("version", 1, "actCode", "ATM"));
        JsonNode withLines = clerk.post("/api/invoices/" + id + "/lines", Map.of("version", 2, "actCode", "zbqk002", "quantity", 2)).json();
        assertThat(withLines.get("totalCents").asInt()).isEqualTo(2500 + 2 * 2128);
        assertThat(withLines.get("lines")).hasSize(2);

        JsonNode issued = clerk.post("/api/invoices/" + id + "/issue", Map.of("version", 3)).json();
        assertThat(issued.get("status").asString()).isEqualTo("ISSUED");
        assertThat(clerk.post("/api/invoices/" + id + "/lines", Map.of("version", 4, "actCode", "ATM")).status())
                .as("an issued invoice does not change").isEqualTo(409);

        JsonNode claim = clerk.post("/api/invoices/" + id + "/claims", Map.of()).json();
        assertThat(claim.get("status").asString()).isEqualTo("TO_SEND");
        assertThat(clerk.get("/api/claims").json().valueStream().anyMatch(c -> c.get("id").asLong() == claim.get("id").asLong())).isTrue();
        JsonNode sent = clerk.post("/api/claims/" + claim.get("id").asLong() + "/send", Map.of("version", 1)).json();
        assertThat(sent.get("status").asString()).isEqualTo("SENT");
        assertThat(sent.get("lotNumber").asString()).startsWith("LOT");

        assertThat(billingService.collectAnswers()).isGreaterThanOrEqualTo(1);
        // The insurer is polled oldest first, 500 at a time: a fresh server may still hold the demo's older sent claims.
        for (int round = 0; round < 20 && billingService.collectAnswers() > 0; round++) {
            // drained round by round
        }
        assertThat(clerk.get("/api/claims/" + claim.get("id").asLong()).json().get("status").asString()).isEqualTo("ACCEPTED");
        assertThat(clerk.post("/api/invoices/" + id + "/claims", Map.of()).status()).as("one live claim per invoice").isEqualTo(409);

        assertThat(clerk.post("/api/invoices/" + id + "/pay", Map.of("version", 4)).json().get("status").asString()).isEqualTo("PAID");
        assertThat(clerk.get("/api/invoices/" + id + "/history").json()).hasSize(5);
    }

    @Test
    void invoiceRulesAndRolesAreEnforced() {
        long[] ps = patientWithStay();
        Api clerk = as("billing");
        assertThat(clerk.post("/api/invoices", Map.of("patientId", ps[0])).status()).isEqualTo(422);
        assertThat(clerk.post("/api/invoices", Map.of("patientId", ps[0], "stayId", 999_999)).status()).isEqualTo(404);
        long id = clerk.post("/api/invoices", Map.of("patientId", ps[0], "stayId", ps[1])).json().get("id").asLong();
        assertThat(clerk.post("/api/invoices/" + id + "/issue", Map.of("version", 1)).status()).as("empty invoice").isEqualTo(409);
        assertThat(clerk.post("/api/invoices/" + id + "/lines", Map.of("version", 1, "actCode", "NOPE")).status()).isEqualTo(422);
        assertThat(clerk.post("/api/invoices/" + id + "/lines", Map.of("version", 1, "actCode", "ATM", "quantity", 0)).status()).isEqualTo(422);
        assertThat(clerk.post("/api/invoices/" + id + "/cancel", Map.of("version", 1)).status()).as("needs a reason").isEqualTo(422);
        assertThat(as("physician").post("/api/invoices", Map.of("patientId", ps[0], "stayId", ps[1])).status()).isEqualTo(403);
        assertThat(as("physician").get("/api/invoices/" + id).status()).isEqualTo(403);
        assertThat(clerk.post("/api/invoices/" + id + "/cancel", Map.of("version", 1, "reason", "duplicate")).json().get("status").asString())
                .isEqualTo("CANCELLED");
    }

    @Test
    void healthCardReadsAreKeptWithTheRightsSnapshot() {
        long[] ps = patientWithStay();
        JsonNode patient = as("frontdesk").get("/api/patients/" + ps[0]).json();
        String nir = patient.at("/data/insMatricule").asString();
        Map<String, Object> read = new HashMap<>(Map.of("workstation", "ACCUEIL-URG-02", "cardHolderName", "Fanny Facturé",
                "cardHolderNir", nir, "beneficiaryName", "Fanny Facturé", "beneficiaryRank", 1,
                "rights", Map.of("amoScheme", "01", "amoFund", "691", "amoCentre", "0001", "validFrom", "2026-01-01",
                        "validTo", "2026-12-31", "amcName", "MGEN", "c2s", false, "ald", true)));
        Api.Response recorded = as("frontdesk").post("/api/patients/" + ps[0] + "/card-reads", read);
        assertThat(recorded.status()).as(recorded.toString()).isEqualTo(201);
        assertThat(recorded.json().at("/rights/ald").asBoolean()).isTrue();

        long before = count("health_card_read");
        Map<String, Object> badNir = new HashMap<>(read);
        badNir.put("cardHolderNir", "123456789012345");
        Map<String, Object> noRights = new HashMap<>(read);
        noRights.remove("rights");
        assertThat(as("frontdesk").post("/api/patients/" + ps[0] + "/card-reads", badNir).status()).isEqualTo(422);
        assertThat(as("frontdesk").post("/api/patients/" + ps[0] + "/card-reads", noRights).status()).isEqualTo(422);
        assertThat(as("nurse").post("/api/patients/" + ps[0] + "/card-reads", read).status()).isEqualTo(403);
        assertThat(count("health_card_read")).isEqualTo(before);
        assertThat(as("billing").get("/api/patients/" + ps[0] + "/card-reads").json()).hasSize(1);
    }

    @Test
    void theActCatalogueIsSearchable() {
        JsonNode acts = as("billing").get("/api/acts?q=radio").json();
        assertThat(acts.valueStream().anyMatch(a -> a.get("code").asString().equals("ZBQK002"))).isTrue();
    }
}
