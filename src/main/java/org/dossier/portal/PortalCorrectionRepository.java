package org.dossier.portal;

import org.dossier.access.PatientAccess;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Correction requests of one patient, under the gateway's proof (the patient themself, or the desk of their facility). */
@Repository
class PortalCorrectionRepository {

    static final String SELECT = "select id, patient_id, facility_id, about, message, requested_at, status, answer, handled_at from portal_correction ";

    private final JdbcClient jdbc;

    PortalCorrectionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long file(PatientAccess own, long accountId, PortalCorrection.About about, String message, Instant now) {
        return jdbc.sql("""
                        insert into portal_correction (patient_id, facility_id, account_id, about, message, requested_at, status)
                        values (?, ?, ?, ?, ?, ?, 'OPEN') returning id""")
                .param(own.patientId()).param(own.patient().facilityId()).param(accountId).param(about.name()).param(message)
                .param(Timestamp.from(now)).query(Long.class).single();
    }

    List<PortalCorrection> ofPatient(PatientAccess access) {
        return jdbc.sql(SELECT + "where patient_id = ? order by requested_at desc, id desc limit 50").param(access.patientId())
                .query(PortalCorrectionRepository::row).list();
    }

    Optional<PortalCorrection> find(PatientAccess access, long id) {
        return jdbc.sql(SELECT + "where patient_id = ? and id = ?").param(access.patientId()).param(id)
                .query(PortalCorrectionRepository::row).optional();
    }

    boolean answer(PatientAccess access, long id, PortalCorrection.Status status, String answer, long staffId, Instant now) {
        return jdbc.sql("""
                        update portal_correction set status = ?, answer = ?, handled_by = ?, handled_at = ?
                         where id = ? and patient_id = ? and status = 'OPEN'""")
                .param(status.name()).param(answer).param(staffId).param(Timestamp.from(now)).param(id).param(access.patientId())
                .update() == 1;
    }

    private static PortalCorrection row(ResultSet rs, int n) throws SQLException {
        Timestamp handled = rs.getTimestamp("handled_at");
        return new PortalCorrection(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"),
                PortalCorrection.About.valueOf(rs.getString("about")), rs.getString("message"), rs.getTimestamp("requested_at").toInstant(),
                PortalCorrection.Status.valueOf(rs.getString("status")), rs.getString("answer"), handled == null ? null : handled.toInstant());
    }
}
