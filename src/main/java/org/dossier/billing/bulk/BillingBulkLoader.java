package org.dossier.billing.bulk;

import org.dossier.billing.Claim;
import org.dossier.billing.HealthCardRead;
import org.dossier.billing.Invoice;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;

/** Writes generated invoices, health-card reads and claims with COPY. Write-only, for the demo hospital. */
@Component
public class BillingBulkLoader {

    private static final Logger log = LoggerFactory.getLogger(BillingBulkLoader.class);

    private final BulkLoad bulk;
    private final JsonMapper json;

    BillingBulkLoader(BulkLoad bulk, JsonMapper json) {
        this.bulk = bulk;
        this.json = json;
    }

    /** An invoice with when it was created and by whom, which the public record does not carry. */
    public record DatedInvoice(Invoice invoice, Instant createdAt, long createdBy) {
    }

    public void load(List<DatedInvoice> invoices, List<HealthCardRead> cardReads, List<Claim> claims, String reason) {
        long start = System.nanoTime();
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("invoice", "health_card_read", "claim"), session -> {
            try (BulkCopy c = session.copy("invoice", "id", "facility_id", "patient_id", "stay_id", "appointment_id", "status",
                    "total_cents", "status_reason", "version", "created_by", "created_at", "updated_at")) {
                for (DatedInvoice d : invoices) {
                    Invoice i = d.invoice();
                    c.row(i.id(), i.facilityId(), i.patientId(), i.stayId(), i.appointmentId(), i.status(), i.totalCents(), i.statusReason(),
                            i.version(), d.createdBy(), d.createdAt(), d.createdAt());
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
            try (BulkCopy c = session.copy("health_card_read", "id", "facility_id", "patient_id", "read_at", "workstation",
                    "card_holder_name", "card_holder_nir", "beneficiary_name", "beneficiary_rank", "rights", "read_by")) {
                for (HealthCardRead r : cardReads) {
                    c.row(r.id(), r.facilityId(), r.patientId(), r.readAt(), r.workstation(), r.cardHolderName(), r.cardHolderNir(),
                            r.beneficiaryName(), r.beneficiaryRank(), json.writeValueAsString(r.rights()), r.readBy());
                }
            }
            try (BulkCopy c = session.copy("claim", "id", "facility_id", "patient_id", "invoice_id", "status", "amount_cents",
                    "beneficiary_nir", "lot_number", "sent_at", "answered_at", "rejection_reason", "version", "created_at")) {
                for (Claim cl : claims) {
                    c.row(cl.id(), cl.facilityId(), cl.patientId(), cl.invoiceId(), cl.status(), cl.amountCents(), cl.beneficiaryNir(),
                            cl.lotNumber(), cl.sentAt(), cl.answeredAt(), cl.rejectionReason(), cl.version(),
                            cl.sentAt() == null ? Instant.now() : cl.sentAt());
                }
            }
            try (BulkLoad.VersionCopy v = session.versions("billing_version")) {
                for (DatedInvoice d : invoices) {
                    Invoice i = d.invoice();
                    v.add("invoice", i.id(), i.version(), i.facilityId(), i.patientId(), d.createdAt(), d.createdBy(), reason, i);
                }
                for (HealthCardRead r : cardReads) {
                    v.add("health_card_read", r.id(), 1, r.facilityId(), r.patientId(), r.readAt(), r.readBy(), reason, r);
                }
                for (Claim cl : claims) {
                    v.add("claim", cl.id(), cl.version(), cl.facilityId(), cl.patientId(), cl.sentAt(), null, reason, cl);
                }
            }
            for (String table : List.of("invoice", "health_card_read", "claim")) {
                session.advanceSequence(table, "id");
            }
        }));
        // the demo's billing phase, measured on its own (issue 22: what sealing card reads and claims costs)
        log.info("Billing bulk load: {} invoices, {} card reads, {} claims in {} ms", invoices.size(), cardReads.size(), claims.size(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
