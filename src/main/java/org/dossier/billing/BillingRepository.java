package org.dossier.billing;

import static org.dossier.billing.ClaimRows.CLAIM;

import static org.dossier.platform.SqlTimes.instant;
import static org.dossier.platform.SqlTimes.ts;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Invoices, health-card reads and claims: each method reads or writes what its proof covers (one patient, or the
 * facilities of the billing queue). The insurer's answers are collected by the server itself, with no actor to decide
 * about: {@link InsurerExchangeRepository}.
 */
@Repository
class BillingRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final FieldCipher cipher;

    BillingRepository(JdbcClient jdbc, JsonMapper json, FieldCipher cipher) {
        this.jdbc = jdbc;
        this.json = json;
        this.cipher = cipher;
    }

    long insertInvoice(PatientAccess access, Long stayId, Long appointmentId, long authorId, Instant now) {
        return jdbc.sql("""
                        insert into invoice (facility_id, patient_id, stay_id, appointment_id, status, total_cents, version, created_by,
                            created_at, updated_at) values (?, ?, ?, ?, 'DRAFT', 0, 1, ?, ?, ?) returning id""")
                .param(access.patient().facilityId()).param(access.patientId()).param(stayId).param(appointmentId).param(authorId).param(ts(now)).param(ts(now))
                .query(Long.class).single();
    }

    /** Adds a line after the last one of an invoice of the proof's patient (another patient's invoice gets none). */
    void insertLine(PatientAccess access, long invoiceId, MedicalAct act, int quantity) {
        jdbc.sql("""
                        insert into invoice_line (invoice_id, line_no, act_code, label, quantity, unit_price_cents, amount_cents)
                        select i.id, (select coalesce(max(l.line_no), 0) + 1 from invoice_line l where l.invoice_id = i.id), ?, ?, ?, ?, ?
                          from invoice i where i.id = ? and i.patient_id = ?""")
                .param(act.code()).param(act.label()).param(quantity).param(act.priceCents()).param(act.priceCents() * quantity)
                .param(invoiceId).param(access.patientId()).update();
    }

    /** Recomputes the total from the lines and moves the version on, refusing a stale or non-draft invoice. */
    boolean touchDraft(PatientAccess access, long invoiceId, int expectedVersion, Instant now) {
        return jdbc.sql("""
                        update invoice set total_cents = (select coalesce(sum(amount_cents), 0) from invoice_line where invoice_id = ?),
                            version = version + 1, updated_at = ? where id = ? and patient_id = ? and version = ? and status = 'DRAFT'""")
                .param(invoiceId).param(ts(now)).param(invoiceId).param(access.patientId()).param(expectedVersion).update() == 1;
    }

    boolean changeInvoiceStatus(PatientAccess access, long id, int expectedVersion, Invoice.Status from, Invoice.Status to, String reason,
                                Instant now) {
        byte[] sealed = cipher.seal(BillingRows.invoiceReasonCell(id, access.patient().facilityId(), access.patientId()), reason);
        return jdbc.sql("update invoice set status = ?, status_reason = null, sealed_status_reason = ?, version = version + 1,"
                        + " updated_at = ? where id = ? and patient_id = ? and version = ? and status = ?")
                .param(to.name()).param(sealed).param(ts(now)).param(id).param(access.patientId()).param(expectedVersion).param(from.name())
                .update() == 1;
    }

    /** Whose invoice this is, to decide about that patient. */
    @Locates
    OptionalLong patientOfInvoice(long id) {
        return patientOf("invoice", id);
    }

    /** An invoice of the proof's patient. */
    Optional<Invoice> invoice(PatientAccess access, long id) {
        return invoices("where id = ? and patient_id = ?", 1, id, access.patientId()).stream().findFirst();
    }

    List<Invoice> invoicesOf(PatientAccess access, int limit) {
        return invoices("where patient_id = ? order by created_at desc", limit, access.patientId());
    }

    private OptionalLong patientOf(String table, long id) {
        return jdbc.sql("select patient_id from " + table + " where id = ?").param(id).query(Long.class).optional()
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    private List<Invoice> invoices(String where, int limit, Object... params) {
        List<Object[]> heads = jdbc.sql("select id, facility_id, patient_id, stay_id, appointment_id, status, total_cents, status_reason,"
                        + " sealed_status_reason, version from invoice " + where + " limit " + limit)
                .params(params)
                .query((rs, n) -> new Object[]{rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                        rs.getObject("stay_id"), rs.getObject("appointment_id"), rs.getString("status"), rs.getInt("total_cents"),
                        BillingRows.open(cipher, rs, "status_reason", BillingRows.invoiceReasonCell(rs.getLong("id"), rs.getInt("facility_id"),
                                rs.getLong("patient_id")), BillingRows.ERASED), rs.getInt("version")})
                .list();
        if (heads.isEmpty()) {
            return List.of();
        }
        java.util.Map<Long, List<Invoice.Line>> lines = new java.util.HashMap<>();
        jdbc.sql("select invoice_id, line_no, act_code, label, quantity, unit_price_cents, amount_cents from invoice_line"
                        + " where invoice_id = any(?) order by invoice_id, line_no")
                .param(heads.stream().map(h -> (Long) h[0]).toArray(Long[]::new))
                .query((ResultSet rs) -> {
                    lines.computeIfAbsent(rs.getLong("invoice_id"), k -> new ArrayList<>()).add(new Invoice.Line(rs.getInt("line_no"),
                            rs.getString("act_code"), rs.getString("label"), rs.getInt("quantity"), rs.getInt("unit_price_cents"),
                            rs.getInt("amount_cents")));
                });
        List<Invoice> result = new ArrayList<>();
        for (Object[] h : heads) {
            result.add(new Invoice((Long) h[0], (Integer) h[1], (Long) h[2], (Long) h[3], (Long) h[4], Invoice.Status.valueOf((String) h[5]),
                    (Integer) h[6], (String) h[7], (Integer) h[8], List.copyOf(lines.getOrDefault((Long) h[0], List.of()))));
        }
        return result;
    }

    /** Writes a card read of the proof's patient, what the card said sealed with the patient's key. */
    long insertCardRead(PatientAccess access, Instant readAt, String workstation, String holderName, String holderNir,
                        String beneficiaryName, int rank, HealthCardRead.Rights rights, long readBy) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('health_card_read', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        byte[] sealed = BillingRows.sealCard(cipher, json, new HealthCardRead(id, facilityId, access.patientId(), readAt, workstation,
                holderName, holderNir, beneficiaryName, rank, rights, readBy));
        jdbc.sql("""
                        insert into health_card_read (id, facility_id, patient_id, read_at, workstation, sealed_card, beneficiary_rank, read_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(ts(readAt)).param(workstation).param(sealed).param(rank)
                .param(readBy).update();
        return id;
    }

    Optional<HealthCardRead> cardRead(PatientAccess access, long id) {
        return jdbc.sql("select * from health_card_read where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query(this::mapCardRead).optional();
    }

    List<HealthCardRead> cardReadsOf(PatientAccess access, int limit) {
        return jdbc.sql("select * from health_card_read where patient_id = ? order by read_at desc limit ?")
                .param(access.patientId()).param(limit).query(this::mapCardRead).list();
    }

    /** Writes a claim of the proof's patient, the beneficiary's NIR sealed with the patient's key. */
    long insertClaim(PatientAccess access, long invoiceId, int amountCents, String beneficiaryNir, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('claim', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        byte[] sealed = cipher.seal(BillingRows.nirCell(id, facilityId, access.patientId()), beneficiaryNir);
        jdbc.sql("""
                        insert into claim (id, facility_id, patient_id, invoice_id, status, amount_cents, sealed_beneficiary_nir, version,
                            created_at) values (?, ?, ?, ?, 'TO_SEND', ?, ?, 1, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(invoiceId).param(amountCents).param(sealed).param(ts(now))
                .update();
        return id;
    }

    boolean markSent(PatientAccess access, long id, int expectedVersion, String lot, Instant now) {
        return jdbc.sql("update claim set status = 'SENT', lot_number = ?, sent_at = ?, version = version + 1"
                        + " where id = ? and patient_id = ? and version = ? and status = 'TO_SEND'")
                .param(lot).param(ts(now)).param(id).param(access.patientId()).param(expectedVersion).update() == 1;
    }

    /** Records the insurer's answer to a sent claim: the server's answer collection (no actor, no proof). */
    /** Whose claim this is, to decide about that patient. */
    @Locates
    OptionalLong patientOfClaim(long id) {
        return patientOf("claim", id);
    }

    /** A claim of the proof's patient. */
    Optional<Claim> claim(PatientAccess access, long id) {
        return jdbc.sql("select " + CLAIM + " from claim where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query((rs, n) -> ClaimRows.claim(cipher, rs)).optional();
    }

    /** The claims of an invoice of the proof's patient. */
    List<Claim> claimsOfInvoice(PatientAccess access, long invoiceId) {
        return jdbc.sql("select " + CLAIM + " from claim where invoice_id = ? and patient_id = ? order by id").param(invoiceId)
                .param(access.patientId()).query((rs, n) -> ClaimRows.claim(cipher, rs)).list();
    }

    /** The claims in one status of the permit's facilities, oldest first (the billing queue). */
    List<Claim> claimsByStatus(SearchPermit permit, Claim.Status status, int limit) {
        return jdbc.sql("select " + CLAIM + " from claim where facility_id = any(?) and status = ? order by created_at limit ?")
                .param(permit.facilityIds().toArray(Integer[]::new)).param(status.name()).param(limit).query((rs, n) -> ClaimRows.claim(cipher, rs)).list();
    }

    private HealthCardRead mapCardRead(ResultSet rs, int n) throws SQLException {
        BillingRows.Card card = BillingRows.openCard(cipher, json, rs);
        return new HealthCardRead(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                rs.getTimestamp("read_at").toInstant(), rs.getString("workstation"), card.cardHolderName(),
                card.cardHolderNir(), card.beneficiaryName(), rs.getInt("beneficiary_rank"), card.rights(), rs.getLong("read_by"));
    }

}
