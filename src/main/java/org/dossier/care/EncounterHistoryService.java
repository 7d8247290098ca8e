package org.dossier.care;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.AccessGateway;
import org.dossier.access.PatientFacts;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Encounters of a patient that took place before or outside this hospital, as imported from another system. */
@Service
public class EncounterHistoryService {

    private static final String COLUMNS = "id, facility_id, patient_id, class, type, type_code, reason, start_at, end_at, practitioner,"
            + " organization, source";

    private final JdbcClient jdbc;
    private final AccessGateway gateway;
    private final Clock clock;

    EncounterHistoryService(JdbcClient jdbc, AccessGateway gateway, Clock clock) {
        this.jdbc = jdbc;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** What the source says of the encounter. */
    public record PastEncounterInput(String encounterClass, String type, String typeCode, String reason, Instant startAt, Instant endAt,
                                     String practitioner, String organization, String source) {
    }

    @Transactional
    public PastEncounter record(Actor actor, long patientId, PastEncounterInput in) {
        PatientFacts patient = gateway.write(actor, patientId, Section.ENCOUNTERS, AuditAction.CREATE, AuditResource.PastEncounter, null).patient();
        validate(in, clock.instant());
        long id = jdbc.sql("""
                        insert into encounter_history (facility_id, patient_id, class, type, type_code, reason, start_at, end_at,
                                                       practitioner, organization, source, recorded_by, created_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                .param(patient.facilityId()).param(patient.id()).param(in.encounterClass().strip()).param(in.type().strip())
                .param(in.typeCode()).param(in.reason()).param(Timestamp.from(in.startAt()))
                .param(in.endAt() == null ? null : Timestamp.from(in.endAt())).param(in.practitioner()).param(in.organization())
                .param(in.source()).param(actor.staffId()).param(Timestamp.from(clock.instant())).query(Long.class).single();
        return find(id);
    }

    public PastEncounter read(Actor actor, long id) {
        PastEncounter e = jdbc.sql("select " + COLUMNS + " from encounter_history where id = ?").param(id).query(EncounterHistoryService::map)
                .optional().orElseThrow(() -> new NotFoundException("No encounter h" + id));
        gateway.read(actor, e.patientId(), Section.ENCOUNTERS, AuditResource.PastEncounter, id);
        return e;
    }

    /** The patient's past encounters, latest first (all of them, up to {@link org.dossier.platform.RecordLimits#PER_PATIENT}). */
    public List<PastEncounter> ofPatient(Actor actor, long patientId) {
        return ofPatient(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.PastEncounter, null));
    }

    /** Under an access already granted and audited. */
    public List<PastEncounter> ofPatient(org.dossier.access.PatientAccess granted) {
        long patientId = granted.require(Section.ENCOUNTERS).patientId();
        return org.dossier.platform.RecordLimits.whole(jdbc.sql("select " + COLUMNS + " from encounter_history where patient_id = ?"
                        + " order by start_at desc, id desc limit ?")
                .param(patientId).param(org.dossier.platform.RecordLimits.fetch()).query(EncounterHistoryService::map).list(), "past encounters");
    }

    private PastEncounter find(long id) {
        return jdbc.sql("select " + COLUMNS + " from encounter_history where id = ?").param(id).query(EncounterHistoryService::map).single();
    }

    private static void validate(PastEncounterInput in, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        if (in.encounterClass() == null || !in.encounterClass().strip().matches("[A-Za-z_]{1,20}")) {
            errors.add(new FieldError("class", "is required: an HL7 ActCode such as AMB, EMER or IMP"));
        }
        if (in.type() == null || in.type().isBlank() || in.type().length() > 300) {
            errors.add(new FieldError("type", "is required (at most 300 characters)"));
        }
        if (in.startAt() == null || in.startAt().isAfter(now)) {
            errors.add(new FieldError("period.start", "is required and not in the future"));
        } else if (in.endAt() != null && in.endAt().isBefore(in.startAt())) {
            errors.add(new FieldError("period.end", "is before the start"));
        }
        if (in.source() == null || in.source().isBlank()) {
            errors.add(new FieldError("source", "is required: where the record comes from"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    private static PastEncounter map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        Timestamp end = rs.getTimestamp("end_at");
        return new PastEncounter(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("class"),
                rs.getString("type"), rs.getString("type_code"), rs.getString("reason"), rs.getTimestamp("start_at").toInstant(),
                end == null ? null : end.toInstant(), rs.getString("practitioner"), rs.getString("organization"), rs.getString("source"));
    }
}
