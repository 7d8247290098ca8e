package org.dossier.billing.bulk;

import org.dossier.billing.BillingRows;
import org.dossier.billing.Claim;
import org.dossier.billing.HealthCardRead;
import org.dossier.billing.Invoice;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.VersionLog;
import org.dossier.platform.bulk.BulkLoad;
import org.dossier.platform.crypto.FieldCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;

/**
 * Writes generated invoices, health-card reads and claims with COPY, what names the patient or their care sealed with the
 * patient's key (V65; the registry's loader made the keys): card reads' documents, claims' NIR and rejection reason,
 * invoices' status reason, every first version. Sealing is done for the whole load on every core, then copied in order.
 * Write-only, for the demo hospital.
 */
@Component
public class BillingBulkLoader {

    private static final Logger log = LoggerFactory.getLogger(BillingBulkLoader.class);

    private final BulkLoad bulk;
    private final JsonMapper json;
    private final FieldCipher cipher;

    BillingBulkLoader(BulkLoad bulk, JsonMapper json, FieldCipher cipher) {
        this.bulk = bulk;
        this.json = json;
        this.cipher = cipher;
    }

    /** A row's sealed values (in the order of its table's sealed columns) and its first version's sealed snapshot. */
    private record Sealed(byte[] first, byte[] second, byte[] version) {
    }

    private byte[] version(String entityType, long id, int version, int facilityId, long patientId, Object snapshot) {
        return cipher.seal(VersionLog.snapshotCell("billing_version", entityType, id, version, facilityId, patientId), json.writeValueAsString(snapshot));
    }

    private Sealed seal(DatedInvoice d) {
        Invoice i = d.invoice();
        return new Sealed(cipher.seal(BillingRows.invoiceReasonCell(i.id(), i.facilityId(), i.patientId()), i.statusReason()), null,
                version("invoice", i.id(), i.version(), i.facilityId(), i.patientId(), i));
    }

    private Sealed seal(HealthCardRead r) {
        return new Sealed(BillingRows.sealCard(cipher, json, r), null, version("health_card_read", r.id(), 1, r.facilityId(), r.patientId(), r));
    }

    private Sealed seal(Claim c) {
        return new Sealed(cipher.seal(BillingRows.nirCell(c.id(), c.facilityId(), c.patientId()), c.beneficiaryNir()),
                cipher.seal(BillingRows.rejectionCell(c.id(), c.facilityId(), c.patientId()), c.rejectionReason()),
                version("claim", c.id(), c.version(), c.facilityId(), c.patientId(), c));
    }

    /** An invoice with when it was created and by whom, which the public record does not carry. */
    public record DatedInvoice(Invoice invoice, Instant createdAt, long createdBy) {
    }

    public void load(List<DatedInvoice> invoices, List<HealthCardRead> cardReads, List<Claim> claims, String reason) {
        long start = System.nanoTime();
        List<Sealed> sealedInvoices = invoices.parallelStream().map(this::seal).toList();
        List<Sealed> sealedReads = cardReads.parallelStream().map(this::seal).toList();
        List<Sealed> sealedClaims = claims.parallelStream().map(this::seal).toList();
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("invoice", "health_card_read", "claim"), session -> {
            copyRows(session, invoices, cardReads, claims, sealedInvoices, sealedReads, sealedClaims);
            copyVersions(session, invoices, cardReads, claims, sealedInvoices, sealedReads, sealedClaims, reason);
            for (String table : List.of("invoice", "health_card_read", "claim")) {
                session.advanceSequence(table, "id");
            }
        }));
        // the demo's billing phase, measured on its own (issue 22: what sealing card reads and claims costs)
        log.info("Billing bulk load: {} invoices, {} card reads, {} claims in {} ms", invoices.size(), cardReads.size(), claims.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private void copyRows(BulkLoad.Session session, List<DatedInvoice> invoices, List<HealthCardRead> cardReads, List<Claim> claims,
                          List<Sealed> sealedInvoices, List<Sealed> sealedReads, List<Sealed> sealedClaims) throws java.sql.SQLException {
        try (BulkCopy c = session.copy("invoice", "id", "facility_id", "patient_id", "stay_id", "appointment_id", "status",
                "total_cents", "sealed_status_reason", "version", "created_by", "created_at", "updated_at")) {
            for (int k = 0; k < invoices.size(); k++) {
                DatedInvoice d = invoices.get(k);
                Invoice i = d.invoice();
                c.row(i.id(), i.facilityId(), i.patientId(), i.stayId(), i.appointmentId(), i.status(), i.totalCents(),
                        sealedInvoices.get(k).first(), i.version(), d.createdBy(), d.createdAt(), d.createdAt());
            }
        }
        try (BulkCopy c = session.copy("invoice_line", "invoice_id", "line_no", "act_code", "label", "quantity", "unit_price_cents",
                "amount_cents")) {
            for (DatedInvoice d : invoices) {
                for (Invoice.Line l : d.invoice().lines()) {
                    c.row(d.invoice().id(), l.lineNo(), l.actCode(), l.label(), l.quantity(), l.unitPriceCents(), l.amountCents());
                }
            }
        }
        try (BulkCopy c = session.copy("health_card_read", "id", "facility_id", "patient_id", "read_at", "workstation", "sealed_card",
                "beneficiary_rank", "read_by")) {
            for (int k = 0; k < cardReads.size(); k++) {
                HealthCardRead r = cardReads.get(k);
                c.row(r.id(), r.facilityId(), r.patientId(), r.readAt(), r.workstation(), sealedReads.get(k).first(), r.beneficiaryRank(),
                        r.readBy());
            }
        }
        try (BulkCopy c = session.copy("claim", "id", "facility_id", "patient_id", "invoice_id", "status", "amount_cents",
                "sealed_beneficiary_nir", "lot_number", "sent_at", "answered_at", "sealed_rejection_reason", "version", "created_at")) {
            for (int k = 0; k < claims.size(); k++) {
                Claim cl = claims.get(k);
                c.row(cl.id(), cl.facilityId(), cl.patientId(), cl.invoiceId(), cl.status(), cl.amountCents(), sealedClaims.get(k).first(),
                        cl.lotNumber(), cl.sentAt(), cl.answeredAt(), sealedClaims.get(k).second(), cl.version(),
                        cl.sentAt() == null ? Instant.now() : cl.sentAt());
            }
        }
    }

    private void copyVersions(BulkLoad.Session session, List<DatedInvoice> invoices, List<HealthCardRead> cardReads, List<Claim> claims,
                              List<Sealed> sealedInvoices, List<Sealed> sealedReads, List<Sealed> sealedClaims, String reason)
            throws java.sql.SQLException {
        try (BulkLoad.VersionCopy v = session.sealedVersions("billing_version")) {
            for (int k = 0; k < invoices.size(); k++) {
                DatedInvoice d = invoices.get(k);
                Invoice i = d.invoice();
                v.addSealed("invoice", i.id(), i.version(), i.facilityId(), i.patientId(), d.createdAt(), d.createdBy(), reason,
                        sealedInvoices.get(k).version());
            }
            for (int k = 0; k < cardReads.size(); k++) {
                HealthCardRead r = cardReads.get(k);
                v.addSealed("health_card_read", r.id(), 1, r.facilityId(), r.patientId(), r.readAt(), r.readBy(), reason,
                        sealedReads.get(k).version());
            }
            for (int k = 0; k < claims.size(); k++) {
                Claim cl = claims.get(k);
                v.addSealed("claim", cl.id(), cl.version(), cl.facilityId(), cl.patientId(), cl.sentAt(), null, reason,
                        sealedClaims.get(k).version());
            }
        }
    }
}
