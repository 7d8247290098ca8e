package org.dossier.guard;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditTrail;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.platform.ConflictException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What the security officer does with the guard's alerts: read them with their evidence and exposure report,
 * acknowledge them, see the frozen accounts, and unfreeze one — with a second factor used within five minutes,
 * in the audit trail. Counting restarts at the unfreeze.
 */
@Service
public class Alerts {

    private final JdbcClient jdbc;
    private final OrganizationService organization;
    private final AuditTrail audit;
    private final org.dossier.audit.AuditReports reports;
    private final tools.jackson.databind.json.JsonMapper json;
    private final Clock clock;

    Alerts(JdbcClient jdbc, OrganizationService organization, AuditTrail audit, org.dossier.audit.AuditReports reports,
           tools.jackson.databind.json.JsonMapper json, Clock clock) {
        this.reports = reports;
        this.json = json;
        this.jdbc = jdbc;
        this.organization = organization;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The alerts, newest first, each with the counts of its exposure report but not its patients: those are shown (and
     * audited) one alert at a time, by {@link #alert}.
     */
    public List<GuardAlert> alerts(Actor actor, boolean openOnly) {
        requireOfficer(actor);
        return jdbc.sql("""
                        select a.id, a.staff_id, a.username, a.raised_at, a.signal, a.response, a.request_id, a.source_address, a.evidence,
                               case when a.exposure is null then null
                                    else json_build_object('patients', a.exposure -> 'patients',
                                                           'refusedAttempts', a.exposure -> 'refusedAttempts')::text end as exposure,
                               a.status, a.acknowledged_by, a.acknowledged_at, a.note, a.severity
                          from guard_alert a""" + (openOnly ? " where a.status = 'OPEN'" : "") + " order by a.raised_at desc limit 500")
                .query(Alerts::alert).list();
    }

    /** One alert with its evidence and the exposure report it carries: the patients it lists are audited as shown. */
    public GuardAlert alert(Actor actor, long id) {
        requireOfficer(actor);
        GuardAlert alert = jdbc.sql("select * from guard_alert where id = ?").param(id).query(Alerts::alert).optional()
                .orElseThrow(() -> new NotFoundException("No alert " + id));
        reports.oversaw(actor, AuditResource.GuardAlert, exposedPatients(alert.exposure()));
        return alert;
    }

    private List<Long> exposedPatients(String exposure) {
        if (exposure == null || exposure.isBlank()) {
            return List.of();
        }
        List<Long> ids = new java.util.ArrayList<>();
        json.readTree(exposure).path("exposed").forEach(p -> ids.add(p.path("patientId").asLong()));
        return ids;
    }

    public GuardAlert acknowledge(Actor actor, long id, String note) {
        requireOfficer(actor);
        alert(actor, id);
        jdbc.sql("update guard_alert set status = 'ACKNOWLEDGED', acknowledged_by = ?, acknowledged_at = ?, note = ? where id = ?")
                .param(actor.staffId()).param(Timestamp.from(clock.instant())).param(Texts.clean(note)).param(id).update();
        return alert(actor, id);
    }

    public List<StaffMember> frozen(Actor actor) {
        requireOfficer(actor);
        return jdbc.sql("select id from staff where status = 'FROZEN' order by id").query(Long.class).list().stream()
                .map(organization::staffMember).toList();
    }

    @Transactional
    public StaffMember unfreeze(Actor actor, long staffId, String reason) {
        requireOfficer(actor);
        String why = Texts.requireReason(reason);
        Instant now = clock.instant();
        actor.requireFreshSecondFactor(now);
        StaffMember member = organization.staffMember(staffId);
        if (member.status() != StaffStatus.FROZEN) {
            throw new ConflictException("not-frozen", member.username() + " is not frozen");
        }
        StaffMember active = organization.setStatusBySystem(staffId, StaffStatus.ACTIVE, actor.staffId(), "unfrozen: " + why);
        jdbc.sql("""
                        insert into guard_state (staff_id, counting_since) values (?, ?)
                        on conflict (staff_id) do update set counting_since = excluded.counting_since""")
                .param(staffId).param(Timestamp.from(now)).update();
        audit.append(AuditRecord.at(now)
                .actor(actor).roles("SECURITY_OFFICER")
                .action(AuditAction.GUARD_UNFREEZE).resource(AuditResource.Account, staffId)
                .decision(AuditRecord.Decision.INFO, null).request(org.slf4j.MDC.get("requestId")).detail(member.username() + ": " + why).build());
        return active;
    }

    private static void requireOfficer(Actor actor) {
        actor.requireAnyRole("handle the guard's alerts", Role.SECURITY_OFFICER);
    }

    private static GuardAlert alert(ResultSet rs, int n) throws SQLException {
        Timestamp ack = rs.getTimestamp("acknowledged_at");
        return new GuardAlert(rs.getLong("id"), rs.getLong("staff_id"), rs.getString("username"), rs.getTimestamp("raised_at").toInstant(),
                rs.getString("signal"), rs.getString("response"), rs.getString("request_id"), rs.getString("source_address"),
                rs.getString("evidence"), rs.getString("exposure"), rs.getString("status"), (Long) rs.getObject("acknowledged_by"),
                ack == null ? null : ack.toInstant(), rs.getString("note"), rs.getString("severity"));
    }
}
