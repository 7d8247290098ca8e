package org.dossier.access;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.crypto.PatientKeys;
import org.springframework.context.ApplicationEventPublisher;
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
 * Crypto-shredding a patient (ADR 0047), by two people: a security officer asks, naming the ground; another person — a
 * security officer or an administrator of the patient's facility, never the one who asked — confirms, and the patient's own
 * key is erased from the key store, so that the patient's sealed data read as erased here and can be opened from no copy of
 * the database (backups, replicas, dumps). Both steps need a second factor used in the last five minutes; each is audited
 * with the patient's id, never a name. Neither sees any patient data.
 */
@Service
public class Erasures {

    private static final String COLUMNS = "id, patient_id, facility_id, ground, requested_by, requested_at, status, decided_by, decided_at";

    private final AccessGateway gateway;
    private final PatientDirectory directory;
    private final PatientKeys keys;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final org.dossier.audit.AuditReports reports;
    private final ApplicationEventPublisher events;

    Erasures(AccessGateway gateway, PatientDirectory directory, PatientKeys keys, JdbcClient jdbc, Clock clock,
             org.dossier.audit.AuditReports reports, ApplicationEventPublisher events) {
        this.reports = reports;
        this.events = events;
        this.gateway = gateway;
        this.directory = directory;
        this.keys = keys;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Transactional
    public PatientErasure request(Actor actor, long patientId, PatientErasure.Ground ground) {
        actor.requireAnyRole("ask for a patient's data to be erased", Role.SECURITY_OFFICER);
        PatientFacts patient = directory.facts(patientId).filter(p -> actor.worksIn(p.facilityId()))
                .orElseThrow(() -> new NotFoundException("No patient " + patientId));
        if (ground == null) {
            throw new InvalidInputException("ground", "is required: RETENTION_ENDED, PATIENT_REQUEST or COURT_ORDER");
        }
        Instant now = clock.instant();
        actor.requireFreshSecondFactor(now);
        if (open(patientId)) {
            throw new ConflictException("erasure-exists", "Patient " + patientId + " already has an erasure asked for or done");
        }
        long id = jdbc.sql("""
                        insert into patient_erasure (patient_id, facility_id, ground, requested_by, requested_at)
                        values (?, ?, ?, ?, ?) returning id""")
                .param(patientId).param(patient.facilityId()).param(ground.name()).param(actor.staffId()).param(Timestamp.from(now))
                .query(Long.class).single();
        audit(actor, patient.facilityId(), patientId, "crypto-shredding asked (erasure " + id + ", " + ground + ")");
        return find(id);
    }

    /** The second person's confirmation: the patient's key is shredded, for good. */
    @Transactional
    public PatientErasure confirm(Actor actor, long erasureId) {
        PatientErasure e = decidable(actor, erasureId, "confirm an erasure");
        if (e.requestedBy() == actor.staffId()) {
            throw new ForbiddenException("You asked for this erasure: another security officer or an administrator of the facility must confirm it");
        }
        Instant now = clock.instant();
        decide(e, actor, PatientErasure.Status.SHREDDED, now);
        audit(actor, e.facilityId(), e.patientId(), "crypto-shredded (erasure " + e.id() + ", " + e.ground() + ", asked by staff "
                + e.requestedBy() + ")");
        // last, once the register and the trail hold it: a failure before leaves the key, a failure after this leaves the
        // tombstone, which the key store keeps as its own record
        events.publishEvent(new PatientErased(e.id(), e.facilityId(), e.patientId()));
        keys.shred(e.facilityId(), e.patientId(), now);
        return find(erasureId);
    }

    /** Withdraws an erasure not confirmed yet (the one who asked, or the one who would confirm). */
    @Transactional
    public PatientErasure withdraw(Actor actor, long erasureId) {
        PatientErasure e = decidable(actor, erasureId, "withdraw an erasure");
        decide(e, actor, PatientErasure.Status.WITHDRAWN, clock.instant());
        audit(actor, e.facilityId(), e.patientId(), "crypto-shredding withdrawn (erasure " + e.id() + ")");
        return find(erasureId);
    }

    /** The register of the actor's facilities, newest first (ids and dates only). */
    public List<PatientErasure> register(Actor actor, boolean pendingOnly) {
        // The security officer's oversight view (ADR 0018): patient ids audited, not charged. An administrator confirms an
        // erasure by its id, which the officer who asked gives; reading every facility's erased patients is not theirs.
        actor.requireAnyRole("read the erasure register", Role.SECURITY_OFFICER);
        List<PatientErasure> register = jdbc.sql("select " + COLUMNS + " from patient_erasure where (? = false or status = 'PENDING')"
                        + " order by id desc limit 200")
                .param(pendingOnly).query(Erasures::map).list().stream().filter(e -> actor.worksIn(e.facilityId())).toList();
        // Each erasure names its patient (by id): in the trail as the officer's oversight, as the break-the-glass queue is.
        reports.oversaw(actor, AuditResource.Patient, register.stream().map(PatientErasure::patientId).toList());
        return register;
    }

    private PatientErasure decidable(Actor actor, long erasureId, String action) {
        actor.requireAnyRole(action, Role.SECURITY_OFFICER, Role.ADMIN);
        PatientErasure e = jdbc.sql("select " + COLUMNS + " from patient_erasure where id = ? for update").param(erasureId)
                .query(Erasures::map).optional().filter(x -> actor.worksIn(x.facilityId()))
                .orElseThrow(() -> new NotFoundException("No erasure " + erasureId));
        actor.requireFreshSecondFactor(clock.instant());
        if (e.status() != PatientErasure.Status.PENDING) {
            throw new ConflictException("erasure-decided", "Erasure " + erasureId + " is already " + e.status());
        }
        return e;
    }

    private void decide(PatientErasure e, Actor actor, PatientErasure.Status status, Instant now) {
        jdbc.sql("update patient_erasure set status = ?, decided_by = ?, decided_at = ? where id = ? and status = 'PENDING'")
                .param(status.name()).param(actor.staffId()).param(Timestamp.from(now)).param(e.id()).update();
    }

    private void audit(Actor actor, int facilityId, long patientId, String detail) {
        gateway.append(gateway.entry(actor).facility(facilityId).action(AuditAction.DELETE).patient(patientId)
                .resource(AuditResource.Patient, patientId).decision(AuditRecord.Decision.INFO, null).detail(detail).build());
    }

    private boolean open(long patientId) {
        return jdbc.sql("select exists (select 1 from patient_erasure where patient_id = ? and status <> 'WITHDRAWN')")
                .param(patientId).query(Boolean.class).single();
    }

    private PatientErasure find(long id) {
        return jdbc.sql("select " + COLUMNS + " from patient_erasure where id = ?").param(id).query(Erasures::map).single();
    }

    private static PatientErasure map(ResultSet rs, int n) throws SQLException {
        Timestamp decided = rs.getTimestamp("decided_at");
        return new PatientErasure(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"),
                PatientErasure.Ground.valueOf(rs.getString("ground")), rs.getLong("requested_by"),
                rs.getTimestamp("requested_at").toInstant(), PatientErasure.Status.valueOf(rs.getString("status")),
                (Long) rs.getObject("decided_by"), decided == null ? null : decided.toInstant());
    }
}
