package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Who holds which session, from where. Sessions themselves live in PostgreSQL (Spring Session JDBC), so
 * that any server node can revoke any session; a session is known here by a reference that never
 * reveals its id.
 */
@Component
class SessionRegistry {

    static final String REF_ATTRIBUTE = "dossier.session.ref";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SessionRegistry(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A live session as its owner sees it. */
    record SessionInfo(String ref, Instant createdAt, Instant lastAccessAt, String sourceAddress, String userAgent, boolean current) {
    }

    /** Records (or follows, after the id changed at sign-in) the session of an authenticated request. */
    String record(HttpServletRequest request, long staffId, String username) {
        HttpSession session = request.getSession();
        String ref = (String) session.getAttribute(REF_ATTRIBUTE);
        if (ref == null) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            ref = HexFormat.of().formatHex(raw);
            session.setAttribute(REF_ATTRIBUTE, ref);
            jdbc.sql("""
                            insert into session_info (session_ref, staff_id, username, current_session_id, created_at, source_address, user_agent)
                            values (?, ?, ?, ?, ?, ?, ?)""")
                    .param(ref).param(staffId).param(username).param(session.getId()).param(Timestamp.from(clock.instant()))
                    .param(request.getRemoteAddr()).param(request.getHeader("User-Agent")).update();
        } else {
            jdbc.sql("update session_info set current_session_id = ? where session_ref = ?").param(session.getId()).param(ref).update();
        }
        return ref;
    }

    boolean isRevoked(String ref) {
        return jdbc.sql("select revoked_at is not null from session_info where session_ref = ?").param(ref).query(Boolean.class)
                .optional().orElse(true);
    }

    List<SessionInfo> live(long staffId, String currentRef) {
        return jdbc.sql("""
                        select si.session_ref, si.created_at, s.last_access_time, si.source_address, si.user_agent
                          from session_info si join spring_session s on s.session_id = si.current_session_id
                         where si.staff_id = ? and si.revoked_at is null and s.expiry_time > ? order by si.created_at desc""")
                .param(staffId).param(clock.millis())
                .query((rs, n) -> new SessionInfo(rs.getString(1), rs.getTimestamp(2).toInstant(), Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getString(4), rs.getString(5), rs.getString(1).equals(currentRef)))
                .list();
    }

    /** Revokes one session of an account; false when the account has no such live session. */
    boolean revoke(long staffId, String ref, Long byStaffId) {
        int marked = jdbc.sql("update session_info set revoked_at = ?, revoked_by = ? where session_ref = ? and staff_id = ? and revoked_at is null")
                .param(Timestamp.from(clock.instant())).param(byStaffId).param(ref).param(staffId).update();
        jdbc.sql("delete from spring_session where session_id = (select current_session_id from session_info where session_ref = ?)")
                .param(ref).update();
        return marked == 1;
    }

    /** Marks a session ended by its owner's sign-out. */
    void end(String ref) {
        jdbc.sql("update session_info set revoked_at = ? where session_ref = ? and revoked_at is null")
                .param(Timestamp.from(clock.instant())).param(ref).update();
    }

    /** Revokes every session of an account, wherever it is used. */
    int revokeAll(long staffId, String username, Long byStaffId) {
        int marked = jdbc.sql("update session_info set revoked_at = ?, revoked_by = ? where staff_id = ? and revoked_at is null")
                .param(Timestamp.from(clock.instant())).param(byStaffId).param(staffId).update();
        jdbc.sql("delete from spring_session where principal_name = ?").param(username).update();
        return marked;
    }
}
