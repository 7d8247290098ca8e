package org.dossier.portal;

import org.dossier.access.PatientAccess;
import org.dossier.audit.AuditReports;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** The patient's side of the cases: opened and listed under the proof that the patient is reading their own record. */
@Repository
class PortalCaseRepository {

    private final JdbcClient jdbc;
    /** The case's notes, sealed with the patient's key (V68, ADR 0053). */
    private final SealedColumns text;

    PortalCaseRepository(JdbcClient jdbc, @Qualifier("portalCaseText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    long open(PatientAccess own, long accountId, String note, List<AuditReports.AccessToMyRecord> entries, Instant now) {
        // The row's id first: the note is sealed to its row.
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('portal_case', 'id'))").query(Long.class).single();
        int facilityId = own.patient().facilityId();
        jdbc.sql("""
                        insert into portal_case (id, patient_id, facility_id, account_id, sealed_patient_note, opened_at, status)
                        values (?, ?, ?, ?, ?, ?, 'OPEN')""")
                .param(id).param(own.patientId()).param(facilityId).param(accountId)
                .param(text.seal(own.patientId(), facilityId, "patient_note", id, note)).param(Timestamp.from(now)).update();
        for (AuditReports.AccessToMyRecord e : entries) {
            jdbc.sql("""
                            insert into portal_case_entry (case_id, patient_id, facility_id, audit_seq, recorded_at, actor_id, actor_roles,
                                                           reason_code, channel)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .param(id).param(own.patientId()).param(own.patient().facilityId()).param(e.seq()).param(Timestamp.from(e.at()))
                    .param(e.actorId()).param(e.actorRoles()).param(e.reasonCode()).param(e.channel()).update();
        }
        return id;
    }

    /**
     * The open case of the patient that already holds one of these accesses, if any. The patient's account row is locked
     * first, so that two flags of the same access racing each other do not both open a case.
     */
    java.util.Optional<Long> openCaseAbout(PatientAccess own, List<Long> seqs) {
        jdbc.sql("select id from portal_account where patient_id = ? and status <> 'SUPERSEDED' for update")
                .param(own.patientId()).query(Long.class).list();
        return jdbc.sql("""
                        select c.id from portal_case c join portal_case_entry e on e.case_id = c.id
                         where e.patient_id = ? and c.status = 'OPEN' and e.audit_seq = any(?) order by c.id limit 1""")
                .param(own.patientId()).param(seqs.toArray(Long[]::new)).query(Long.class).optional();
    }

    List<PortalCase> ofPatient(PatientAccess own) {
        PortalCaseRows rows = new PortalCaseRows(text);
        jdbc.sql(PortalCaseRows.SELECT + "where c.patient_id = :patient" + PortalCaseRows.ORDER).param("patient", own.patientId()).query(rows::add);
        return rows.cases();
    }
}
