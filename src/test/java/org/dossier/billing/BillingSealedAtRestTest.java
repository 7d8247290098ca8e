package org.dossier.billing;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Billing sealed at rest (V65, ADR 0052): a Carte Vitale read, a claim and a cancelled invoice written through the API
 * leave no holder name, NIR, rights nor reason in clear in their rows or versions as the database's owner reads them; the
 * API and the insurer exchange (no actor) still work with them; a value copied to another row does not open; a shredded
 * patient's billing reads as erased, never a 500; a card read written in clear before V65 still reads, and the rotation
 * job's declaration seals it.
 */
class BillingSealedAtRestTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    BillingService billingService;
    @Autowired
    List<SealedValues> sealedValues;

    private long[] patientWithStay(String family) {
        Fixtures f = fixtures();
        long patient = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, PatientJson.valid(family, "Fanny"))).json()
                .get("id").asLong();
        long stay = as("frontdesk").post("/api/stays", Map.of("patientId", patient, "kind", "EMERGENCY", "unitId", f.unit(1, "URG"),
                "attendingId", f.staffId("er.physician"), "reason", "sprained ankle")).json().get("id").asLong();
        return new long[]{patient, stay};
    }

    private Map<String, Object> cardRead(String nir) {
        return Map.of("workstation", "ACCUEIL-URG-02", "cardHolderName", "Sealholder Fanny", "cardHolderNir", nir,
                "beneficiaryName", "Sealbeneficiary Fanny", "beneficiaryRank", 1,
                "rights", Map.of("amoScheme", "01", "amoFund", "691", "amoCentre", "0001", "validFrom", "2026-01-01",
                        "validTo", "2026-12-31", "amcName", "Sealmutuelle", "c2s", false, "ald", true));
    }

    /** Every row of the table about the patient, as the owner (past row-level security) copies it, lower-cased. */
    private String ownerView(String table, long patient) {
        return JdbcClient.create(owner).sql("select t::text from " + table + " t where patient_id = ?").param(patient)
                .query(String.class).list().toString().toLowerCase(Locale.ROOT);
    }

    @Test
    void cardReadsClaimsAndInvoicesAreSealedAndStillWork() {
        long[] ps = patientWithStay("Sealfacturé");
        String nir = as("frontdesk").get("/api/patients/" + ps[0]).json().at("/data/coverage/nir").asString();
        assertThat(nir).hasSize(15);
        Api.Response read = as("frontdesk").post("/api/patients/" + ps[0] + "/card-reads", cardRead(nir));
        assertThat(read.status()).as(read.toString()).isEqualTo(201);
        Api clerk = as("billing");
        long invoice = clerk.post("/api/invoices", Map.of("patientId", ps[0], "stayId", ps[1])).json().get("id").asLong();
        clerk.post("/api/invoices/" + invoice + "/lines", Map.of("version", 1, "actCode", "ATM"));
        clerk.post("/api/invoices/" + invoice + "/issue", Map.of("version", 2));
        JsonNode claim = clerk.post("/api/invoices/" + invoice + "/claims", Map.of()).json();
        long claimId = claim.get("id").asLong();
        assertThat(claim.get("beneficiaryNir").asString()).isEqualTo(nir);
        assertThat(clerk.post("/api/claims/" + claimId + "/send", Map.of("version", 1)).json().get("status").asString()).isEqualTo("SENT");
        for (int round = 0; round < 20 && billingService.collectAnswers() > 0; round++) {
            // the insurer exchange, with no actor, opens the NIR server-side: drained round by round
        }
        assertThat(clerk.get("/api/claims/" + claimId).json().get("status").asString()).as("the insurer read the NIR").isEqualTo("ACCEPTED");
        long other = clerk.post("/api/invoices", Map.of("patientId", ps[0], "stayId", ps[1])).json().get("id").asLong();
        Api.Response cancelled = clerk.post("/api/invoices/" + other + "/cancel", Map.of("version", 1, "reason", "Sealcancel doublon"));
        assertThat(cancelled.json().get("statusReason").asString()).isEqualTo("cancelled: Sealcancel doublon");

        for (String table : List.of("health_card_read", "claim", "invoice", "billing_version")) {
            assertThat(ownerView(table, ps[0])).as(table + " as its owner reads it").isNotEmpty()
                    .doesNotContain(nir, "sealholder", "sealbeneficiary", "sealmutuelle", "sealcancel");
        }
        assertThat(JdbcClient.create(owner).sql("select count(*) from billing_version where patient_id = ? and snapshot is not null")
                .param(ps[0]).query(Long.class).single()).as("versions in clear").isZero();
        assertThat(as("frontdesk").get("/api/patients/" + ps[0] + "/card-reads").body())
                .contains("Sealholder Fanny", nir, "Sealbeneficiary Fanny", "Sealmutuelle");
        assertThat(clerk.get("/api/claims/" + claimId).json().get("beneficiaryNir").asString()).isEqualTo(nir);
        assertThat(clerk.get("/api/invoices/" + other + "/history").body()).contains("Sealcancel doublon");
        assertThat(clerk.get("/api/claims").status()).isEqualTo(200);

        byte[] sealed = jdbc.sql("select sealed_beneficiary_nir from claim where id = ?").param(claimId).query(byte[].class).single();
        assertThat(cipher.open(BillingRows.nirCell(claimId, 1, ps[0]), sealed)).isEqualTo(nir);
        assertThatThrownBy(() -> cipher.open(BillingRows.rejectionCell(claimId, 1, ps[0]), sealed)).as("another column")
                .isInstanceOf(IllegalStateException.class);
        long readId = read.json().get("id").asLong();
        assertThatThrownBy(() -> cipher.open(BillingRows.nirCell(readId, 1, ps[0]), sealed)).as("another row")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aShreddedPatientsBillingReadsAsErased() {
        long[] ps = patientWithStay("Sealshred");
        String nir = as("frontdesk").get("/api/patients/" + ps[0]).json().at("/data/coverage/nir").asString();
        assertThat(as("frontdesk").post("/api/patients/" + ps[0] + "/card-reads", cardRead(nir)).status()).isEqualTo(201);
        long invoice = as("billing").post("/api/invoices", Map.of("patientId", ps[0], "stayId", ps[1])).json().get("id").asLong();
        as("billing").post("/api/invoices/" + invoice + "/cancel", Map.of("version", 1, "reason", "Sealshredreason"));
        long erasure = as("security").post("/api/patients/" + ps[0] + "/erasure", Map.of("ground", "RETENTION_ENDED")).json()
                .get("id").asLong();
        assertThat(as("admin").post("/api/access/erasures/" + erasure + "/confirm", Map.of()).status()).isEqualTo(200);

        Api.Response reads = as("frontdesk").get("/api/patients/" + ps[0] + "/card-reads");
        assertThat(reads.status()).as(reads.toString()).isEqualTo(200);
        assertThat(reads.body()).contains(BillingRows.ERASED).doesNotContain("Sealholder", nir);
        Api.Response invoices = as("billing").get("/api/patients/" + ps[0] + "/invoices");
        assertThat(invoices.status()).as(invoices.toString()).isEqualTo(200);
        assertThat(invoices.body()).doesNotContain("Sealshredreason");
        Api.Response history = as("billing").get("/api/invoices/" + invoice + "/history");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        assertThat(history.body()).doesNotContain("Sealshredreason");
        assertThat(as("frontdesk").post("/api/patients/" + ps[0] + "/card-reads", cardRead(nir)).status()).as("a new read").isEqualTo(409);
    }

    @Test
    void aCardReadWrittenInClearBeforeV65StillReadsAndTheRotationJobSealsIt() {
        long[] ps = patientWithStay("Seallegacy");
        long readBy = fixtures().staffId("frontdesk");
        long id = jdbc.sql("""
                        insert into health_card_read (facility_id, patient_id, read_at, workstation, card_holder_name, card_holder_nir,
                            beneficiary_name, beneficiary_rank, rights, read_by)
                        values (1, ?, now(), 'W1', 'Sealoldholder', '180017512345678', 'Sealoldbeneficiary', 1,
                            '{"amoScheme":"01","amoFund":"691","amoCentre":"0001","amcName":"Sealoldmutuelle","c2s":true,"ald":false}', ?)
                        returning id""").param(ps[0]).param(readBy).query(Long.class).single();
        assertThat(as("frontdesk").get("/api/patients/" + ps[0] + "/card-reads").body()).contains("Sealoldholder", "Sealoldmutuelle");

        SealedValues billing = sealedValues.stream().filter(v -> v.name().equals("billing")).findFirst().orElseThrow();
        List<SealedValues.Value> values = org.dossier.platform.FacilityScope.asSystem(() -> billing.after(1, ps[0] - 1, 1)).stream()
                .filter(v -> v.cell().table().equals("health_card_read") && v.cell().rowId() == id).toList();
        assertThat(values).hasSize(1).allSatisfy(v -> assertThat(v.sealed()).isNull());
        SealedValues.Value legacy = values.get(0);
        assertThat(org.dossier.platform.FacilityScope.asSystem(() -> billing.replace(legacy, cipher.seal(legacy.cell(), legacy.clear()))))
                .isTrue();
        assertThat(ownerView("health_card_read", ps[0])).doesNotContain("sealoldholder", "180017512345678", "sealoldmutuelle");
        assertThat(as("frontdesk").get("/api/patients/" + ps[0] + "/card-reads").body())
                .contains("Sealoldholder", "180017512345678", "Sealoldbeneficiary", "Sealoldmutuelle");
    }
}
