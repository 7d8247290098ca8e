package org.dossier.portal;

import org.dossier.access.PatientAccess;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Correction requests of one patient, under the gateway's proof (the patient themself, or the desk of their facility).
 * The patient's message and the desk's answer are sealed with the patient's key (V67, ADR 0053).
 */
@Repository
class PortalCorrectionRepository {

    static final String SELECT = "select id, patient_id, facility_id, about, message, requested_at, status, answer, handled_at,"
            + " sealed_message, sealed_answer from portal_correction ";

    private final JdbcClient jdbc;
    private final SealedColumns text;

    PortalCorrectionRepository(JdbcClient jdbc, @Qualifier("portalCorrectionText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    /** Takes the row's id first: the message is sealed to its row. */
    long file(PatientAccess own, long accountId, PortalCorrection.About about, String message, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('portal_correction', 'id'))").query(Long.class).single();
        int facilityId = own.patient().facilityId();
        jdbc.sql("""
                        insert into portal_correction (id, patient_id, facility_id, account_id, about, sealed_message, requested_at, status)
                        values (?, ?, ?, ?, ?, ?, ?, 'OPEN')""")
                .param(id).param(own.patientId()).param(facilityId).param(accountId).param(about.name())
                .param(text.seal(own.patientId(), facilityId, "message", id, message)).param(Timestamp.from(now)).update();
        return id;
    }

    List<PortalCorrection> ofPatient(PatientAccess access) {
        return jdbc.sql(SELECT + "where patient_id = ? order by requested_at desc, id desc limit 50").param(access.patientId())
                .query(this::row).list();
    }

    Optional<PortalCorrection> find(PatientAccess access, long id) {
        return jdbc.sql(SELECT + "where patient_id = ? and id = ?").param(access.patientId()).param(id)
                .query(this::row).optional();
    }

    boolean answer(PatientAccess access, long id, PortalCorrection.Status status, String answer, long staffId, Instant now) {
        byte[] sealed = text.seal(access.patientId(), access.patient().facilityId(), "answer", id, answer);
        return jdbc.sql("""
                        update portal_correction set status = ?, answer = null, sealed_answer = ?, handled_by = ?, handled_at = ?
                         where id = ? and patient_id = ? and status = 'OPEN'""")
                .param(status.name()).param(sealed).param(staffId).param(Timestamp.from(now)).param(id).param(access.patientId())
                .update() == 1;
    }

    private PortalCorrection row(ResultSet rs, int n) throws SQLException {
        Timestamp handled = rs.getTimestamp("handled_at");
        return new PortalCorrection(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"),
                PortalCorrection.About.valueOf(rs.getString("about")), text.open(rs, "message"), rs.getTimestamp("requested_at").toInstant(),
                PortalCorrection.Status.valueOf(rs.getString("status")), text.open(rs, "answer"), handled == null ? null : handled.toInstant());
    }
}
