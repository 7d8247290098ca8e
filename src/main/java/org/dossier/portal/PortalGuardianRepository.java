package org.dossier.portal;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Guardians' links to minors' records (ADR 0050); the desk's reads and changes under the gateway's proof of the minor. */
@Repository
class PortalGuardianRepository {

    private static final String SELECT = """
            select l.id, l.guardian_account_id, a.patient_id as guardian_patient_id, a.username,
                   a.sealed_username, a.facility_id as guardian_facility_id, l.minor_patient_id,
                   l.facility_id, l.created_at, l.ended_at
              from portal_guardian_link l join portal_account a on a.id = l.guardian_account_id""";

    private final JdbcClient jdbc;
    private final PortalUsernames usernames;

    PortalGuardianRepository(JdbcClient jdbc, PortalUsernames usernames) {
        this.jdbc = jdbc;
        this.usernames = usernames;
    }

    /**
     * The active portal account of the guardian's own record, in the facilities the caller's scope lets it see: located
     * (an identifier) once the gateway allowed the desk's change of the minor's record.
     */
    @Locates
    Optional<Long> activeAccountOf(long guardianPatientId) {
        return jdbc.sql("select id from portal_account where patient_id = ? and status = 'ACTIVE' order by id desc limit 1")
                .param(guardianPatientId).query(Long.class).optional();
    }

    /** A new link, or empty when this guardian already holds one to this minor (the unique index says so). */
    Optional<Long> create(PatientAccess minor, long accountId, long staffId, Instant now) {
        return jdbc.sql("""
                        insert into portal_guardian_link (guardian_account_id, minor_patient_id, facility_id, created_by, created_at)
                        values (?, ?, ?, ?, ?) on conflict do nothing returning id""")
                .param(accountId).param(minor.patientId()).param(minor.patient().facilityId()).param(staffId).param(Timestamp.from(now))
                .query(Long.class).optional();
    }

    boolean end(PatientAccess minor, long linkId, long staffId, Instant now) {
        return jdbc.sql("update portal_guardian_link set ended_at = ?, ended_by = ? where id = ? and minor_patient_id = ? and ended_at is null")
                .param(Timestamp.from(now)).param(staffId).param(linkId).param(minor.patientId()).update() == 1;
    }

    /** The minor's links, held first then ended, newest first: what the desk's page shows. */
    List<PortalGuardians.Link> ofMinor(PatientAccess minor) {
        return jdbc.sql(SELECT + " where l.minor_patient_id = ? order by l.ended_at is not null, l.created_at desc limit 50")
                .param(minor.patientId()).query(this::link).list();
    }

    /**
     * The minors' records an account holds a link to (not ended; ids only): the records its home offers to switch to.
     * Nothing of them is read here; each is read, and decided GUARDIAN by the gateway, when opened.
     */
    @Locates
    List<Long> minorsOf(long accountId) {
        return jdbc.sql("select minor_patient_id from portal_guardian_link where guardian_account_id = ? and ended_at is null order by created_at")
                .param(accountId).query(Long.class).list();
    }

    /** A link as the desk sees it: the guardian's username opened from its sealed cell (V74), "(erased)" once shredded. */
    private PortalGuardians.Link link(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Timestamp ended = rs.getTimestamp("ended_at");
        String username = usernames.open(rs.getLong("guardian_patient_id"), rs.getInt("guardian_facility_id"),
                rs.getLong("guardian_account_id"), rs.getBytes("sealed_username"), rs.getString("username"));
        return new PortalGuardians.Link(rs.getLong("id"), rs.getLong("guardian_account_id"), rs.getLong("guardian_patient_id"),
                username == null ? org.dossier.platform.crypto.SealedColumns.ERASED : username, rs.getLong("minor_patient_id"), rs.getTimestamp("created_at").toInstant(),
                ended == null ? null : ended.toInstant());
    }
}
