package org.dossier.billing;

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

@Repository
class BillingRepository {

    private static final String CLAIM = "id, facility_id, patient_id, invoice_id, status, amount_cents, beneficiary_nir, lot_number,"
            + " sent_at, answered_at, rejection_reason, version";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    BillingRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<MedicalAct> acts(String query, int limit) {
        String q = query == null ? "" : query.strip().toLowerCase();
        return jdbc.sql("select code, system, label, price_cents from medical_act where lower(code) like ? or lower(label) like ?"
                        + " order by code limit ?")
                .param(q + "%").param("%" + q + "%").param(limit).query(MedicalAct.class).list();
    }

    Optional<MedicalAct> act(String code) {
        return jdbc.sql("select code, system, label, price_cents from medical_act where code = ?").param(code).query(MedicalAct.class).optional();
    }

    long insertInvoice(int facilityId, long patientId, Long stayId, Long appointmentId, long authorId, Instant now) {
        return jdbc.sql("""
                        insert into invoice (facility_id, patient_id, stay_id, appointment_id, status, total_cents, version, created_by,
                            created_at, updated_at) values (?, ?, ?, ?, 'DRAFT', 0, 1, ?, ?, ?) returning id""")
                .param(facilityId).param(patientId).param(stayId).param(appointmentId).param(authorId).param(ts(now)).param(ts(now))
                .query(Long.class).single();
    }

    void insertLine(long invoiceId, int lineNo, MedicalAct act, int quantity) {
        jdbc.sql("""
                        insert into invoice_line (invoice_id, line_no, act_code, label, quantity, unit_price_cents, amount_cents)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                .param(invoiceId).param(lineNo).param(act.code()).param(act.label()).param(quantity).param(act.priceCents())
                .param(act.priceCents() * quantity).update();
    }

    /** Recomputes the total from the lines and moves the version on, refusing a stale or non-draft invoice. */
    boolean touchDraft(long invoiceId, int expectedVersion, Instant now) {
        return jdbc.sql("""
                        update invoice set total_cents = (select coalesce(sum(amount_cents), 0) from invoice_line where invoice_id = ?),
                            version = version + 1, updated_at = ? where id = ? and version = ? and status = 'DRAFT'""")
                .param(invoiceId).param(ts(now)).param(invoiceId).param(expectedVersion).update() == 1;
    }

    boolean changeInvoiceStatus(long id, int expectedVersion, Invoice.Status from, Invoice.Status to, String reason, Instant now) {
        return jdbc.sql("update invoice set status = ?, status_reason = ?, version = version + 1, updated_at = ?"
                        + " where id = ? and version = ? and status = ?")
                .param(to.name()).param(reason).param(ts(now)).param(id).param(expectedVersion).param(from.name()).update() == 1;
    }

    Optional<Invoice> invoice(long id) {
        List<Invoice> found = invoices("where id = ?", id, 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    List<Invoice> invoicesOf(long patientId, int limit) {
        return invoices("where patient_id = ? order by created_at desc", patientId, limit);
    }

    private List<Invoice> invoices(String where, long param, int limit) {
        List<Object[]> heads = jdbc.sql("select id, facility_id, patient_id, stay_id, appointment_id, status, total_cents, status_reason,"
                        + " version from invoice " + where + " limit ?")
                .param(param).param(limit)
                .query((rs, n) -> new Object[]{rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                        rs.getObject("stay_id"), rs.getObject("appointment_id"), rs.getString("status"), rs.getInt("total_cents"),
                        rs.getString("status_reason"), rs.getInt("version")})
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

    int nextLineNo(long invoiceId) {
        return jdbc.sql("select coalesce(max(line_no), 0) + 1 from invoice_line where invoice_id = ?").param(invoiceId)
                .query(Integer.class).single();
    }

    long insertCardRead(int facilityId, long patientId, Instant readAt, String workstation, String holderName, String holderNir,
                        String beneficiaryName, int rank, HealthCardRead.Rights rights, long readBy) {
        return jdbc.sql("""
                        insert into health_card_read (facility_id, patient_id, read_at, workstation, card_holder_name, card_holder_nir,
                            beneficiary_name, beneficiary_rank, rights, read_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as json), ?) returning id""")
                .param(facilityId).param(patientId).param(ts(readAt)).param(workstation).param(holderName).param(holderNir)
                .param(beneficiaryName).param(rank).param(json.writeValueAsString(rights)).param(readBy)
                .query(Long.class).single();
    }

    Optional<HealthCardRead> cardRead(long id) {
        return jdbc.sql("select * from health_card_read where id = ?").param(id).query(this::mapCardRead).optional();
    }

    List<HealthCardRead> cardReadsOf(long patientId, int limit) {
        return jdbc.sql("select * from health_card_read where patient_id = ? order by read_at desc limit ?")
                .param(patientId).param(limit).query(this::mapCardRead).list();
    }

    long insertClaim(int facilityId, long patientId, long invoiceId, int amountCents, String beneficiaryNir, Instant now) {
        return jdbc.sql("""
                        insert into claim (facility_id, patient_id, invoice_id, status, amount_cents, beneficiary_nir, version, created_at)
                        values (?, ?, ?, 'TO_SEND', ?, ?, 1, ?) returning id""")
                .param(facilityId).param(patientId).param(invoiceId).param(amountCents).param(beneficiaryNir).param(ts(now))
                .query(Long.class).single();
    }

    boolean markSent(long id, int expectedVersion, String lot, Instant now) {
        return jdbc.sql("update claim set status = 'SENT', lot_number = ?, sent_at = ?, version = version + 1"
                        + " where id = ? and version = ? and status = 'TO_SEND'")
                .param(lot).param(ts(now)).param(id).param(expectedVersion).update() == 1;
    }

    boolean markAnswered(long id, int expectedVersion, boolean accepted, String rejection, Instant now) {
        return jdbc.sql("update claim set status = ?, rejection_reason = ?, answered_at = ?, version = version + 1"
                        + " where id = ? and version = ? and status = 'SENT'")
                .param(accepted ? "ACCEPTED" : "REJECTED").param(rejection).param(ts(now)).param(id).param(expectedVersion).update() == 1;
    }

    Optional<Claim> claim(long id) {
        return jdbc.sql("select " + CLAIM + " from claim where id = ?").param(id).query(BillingRepository::claim).optional();
    }

    List<Claim> claimsOfInvoice(long invoiceId) {
        return jdbc.sql("select " + CLAIM + " from claim where invoice_id = ? order by id").param(invoiceId).query(BillingRepository::claim).list();
    }

    List<Claim> claimsByStatus(java.util.Collection<Integer> facilities, Claim.Status status, int limit) {
        return jdbc.sql("select " + CLAIM + " from claim where facility_id = any(?) and status = ? order by created_at limit ?")
                .param(facilities.toArray(Integer[]::new)).param(status.name()).param(limit).query(BillingRepository::claim).list();
    }

    List<Claim> sentClaims(int limit) {
        return jdbc.sql("select " + CLAIM + " from claim where status = 'SENT' order by sent_at limit ?")
                .param(limit).query(BillingRepository::claim).list();
    }

    private HealthCardRead mapCardRead(ResultSet rs, int n) throws SQLException {
        return new HealthCardRead(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                rs.getTimestamp("read_at").toInstant(), rs.getString("workstation"), rs.getString("card_holder_name"),
                rs.getString("card_holder_nir"), rs.getString("beneficiary_name"), rs.getInt("beneficiary_rank"),
                json.readValue(rs.getString("rights"), HealthCardRead.Rights.class), rs.getLong("read_by"));
    }

    private static Claim claim(ResultSet rs, int n) throws SQLException {
        return new Claim(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getLong("invoice_id"),
                Claim.Status.valueOf(rs.getString("status")), rs.getInt("amount_cents"), rs.getString("beneficiary_nir"),
                rs.getString("lot_number"), instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("answered_at")),
                rs.getString("rejection_reason"), rs.getInt("version"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
