package org.dossier.guard;

import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FacilityScope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;

/**
 * Canary patients: realistic records no workflow leads to (no stay, appointment, care team or referral).
 * Nobody has a reason to open or even search them; touching one freezes the account at once. The demo
 * hospital seeds some in every facility, spread over the identifiers; the security officer marks more.
 */
@Service
public class Canaries {

    private final JdbcClient jdbc;
    private final Clock clock;

    Canaries(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Marks a patient of the officer's facilities as a canary (create it first through registration, with a plausible identity). */
    public void mark(Actor actor, long patientId) {
        actor.requireAnyRole("mark canary records", Role.SECURITY_OFFICER);
        actor.requireFreshSecondFactor(clock.instant());
        int updated = jdbc.sql("""
                        insert into guard_canary (patient_id, facility_id, created_at)
                        select id, facility_id, ? from patient_facts(?) where facility_id = any(?)
                        on conflict do nothing""")
                .param(Timestamp.from(clock.instant())).param(patientId).param(actor.facilityIds().toArray(Integer[]::new)).update();
        if (updated == 0 && !isCanary(patientId)) {
            throw new org.dossier.platform.NotFoundException("No patient " + patientId);
        }
    }

    public List<Long> list(Actor actor) {
        actor.requireAnyRole("see canary records", Role.SECURITY_OFFICER);
        return jdbc.sql("select patient_id from guard_canary order by patient_id").query(Long.class).list();
    }

    /**
     * Seeds {@code perFacility} canaries in each facility among patients that no care record points to, spread evenly
     * over the identifiers so that any walk meets one. For the demo hospital; runs as the server.
     */
    public int seed(int perFacility) {
        return FacilityScope.asSystem(() -> jdbc.sql("""
                        insert into guard_canary (patient_id, facility_id, created_at)
                        select id, facility_id, :now from (
                            select p.id, p.facility_id, row_number() over (partition by p.facility_id order by p.id) as n,
                                   count(*) over (partition by p.facility_id) as total
                              from patient p
                             where p.status = 'ACTIVE'
                               and not exists (select 1 from stay s where s.patient_id = p.id)
                               and not exists (select 1 from appointment a where a.patient_id = p.id)
                               and not exists (select 1 from care_team_member c where c.patient_id = p.id)
                               and not exists (select 1 from referral r where r.patient_id = p.id)
                               and not exists (select 1 from invoice i where i.patient_id = p.id)) candidates
                         where n % greatest(1, total / :per) = 0
                        on conflict do nothing""")
                .param("now", Timestamp.from(clock.instant())).param("per", perFacility).update());
    }

    boolean isCanary(long patientId) {
        return jdbc.sql("select exists (select 1 from guard_canary where patient_id = ?)").param(patientId).query(Boolean.class).single();
    }
}
