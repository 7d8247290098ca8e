package org.dossier.audit;

import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.InvalidInputException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports audit entries as FHIR R4 AuditEvent resources shaped after IHE Basic Audit Log Patterns (BALP):
 * one AuditEvent per entry, the patient as an entity with role "patient", the user as the requesting agent with
 * their network address and session, the purpose of use, and the X-Request-Id as a transaction entity. Each
 * resource keeps the entry's sequence number and hash, so a copy can be checked against the chain later.
 */
@Service
public class AuditEventExport {

    static final int MAX_EVENTS = 5_000;

    private final JdbcClient jdbc;
    private final AuditReports reports;

    AuditEventExport(JdbcClient jdbc, AuditReports reports) {
        this.jdbc = jdbc;
        this.reports = reports;
    }

    /** A searchset Bundle of the entries in the window (at most 31 days, 5,000 entries), optionally for one patient or one account. */
    public Map<String, Object> bundle(Actor actor, Instant from, Instant to, Long patientId, Long staffId) {
        actor.requireAnyRole("export the audit trail", Role.SECURITY_OFFICER);
        if (from == null || to == null || !to.isAfter(from) || Duration.between(from, to).compareTo(AuditReports.MAX_WINDOW) > 0) {
            throw new InvalidInputException("to", "give a window of at most 31 days: from before to");
        }
        StringBuilder sql = new StringBuilder("select * from audit_entry where recorded_at >= :from and recorded_at < :to");
        if (patientId != null) {
            sql.append(" and patient_id = :patient");
        }
        if (staffId != null) {
            sql.append(" and actor_id = :actor");
        }
        sql.append(" order by seq limit :limit");
        var query = jdbc.sql(sql.toString()).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .param("limit", MAX_EVENTS + 1);
        if (patientId != null) {
            query = query.param("patient", patientId);
        }
        if (staffId != null) {
            query = query.param("actor", staffId);
        }
        List<AuditEntry> entries = query.query(AuditEventExport::entry).list();
        List<Long> shown = new ArrayList<>();
        for (AuditEntry e : entries.subList(0, Math.min(entries.size(), MAX_EVENTS))) {
            shown.add(e.record().patientId());
            shown.addAll(AuditReports.patientsNamedIn(e.record().action(), e.record().resourceType(), e.record().detail()));
        }
        reports.oversaw(actor, AuditResource.AuditEvent, shown);
        List<Map<String, Object>> bundleEntries = new ArrayList<>();
        for (AuditEntry e : entries.subList(0, Math.min(entries.size(), MAX_EVENTS))) {
            bundleEntries.add(Map.of("fullUrl", "urn:dossier:audit:" + e.seq(), "resource", auditEvent(e)));
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "searchset");
        bundle.put("total", bundleEntries.size());
        if (entries.size() > MAX_EVENTS) {
            bundle.put("link", List.of(Map.of("relation", "next", "url", "narrow the window: more than " + MAX_EVENTS + " entries")));
        }
        bundle.put("entry", bundleEntries);
        return bundle;
    }

    /** One entry as a BALP-shaped AuditEvent. */
    static Map<String, Object> auditEvent(AuditEntry e) {
        AuditRecord r = e.record();
        String interaction = interaction(r.action());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("resourceType", "AuditEvent");
        event.put("id", Long.toString(e.seq()));
        // Shaped after the BALP pattern named here; not declared in meta.profile, since we do not ship the IG to validate it.
        event.put("meta", Map.of("tag", List.of(Map.of("system", "urn:dossier:balp-pattern", "code", profile(r, interaction)))));
        event.put("extension", List.of(
                Map.of("url", "urn:dossier:audit:hash", "valueString", e.hash()),
                Map.of("url", "urn:dossier:audit:previous-hash", "valueString", e.prevHash())));
        event.put("type", coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"));
        event.put("subtype", List.of(coding("http://hl7.org/fhir/restful-interaction", interaction, interaction)));
        event.put("action", switch (interaction) {
            case "create" -> "C";
            case "update" -> "U";
            case "delete" -> "D";
            case "search-type" -> "E";
            default -> "R";
        });
        event.put("recorded", r.recordedAt().toString());
        event.put("outcome", r.decision() == AuditRecord.Decision.DENY ? "4" : "0");
        if (r.decision() == AuditRecord.Decision.DENY && r.detail() != null) {
            event.put("outcomeDesc", r.detail());
        }
        if (r.purpose() != null) {
            event.put("purposeOfEvent", List.of(Map.of("coding", List.of(Map.of(
                    "system", "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code", r.purpose())))));
        }
        event.put("agent", List.of(requestingUser(r), SERVER));
        event.put("source", Map.of("site", r.facilityId() == null ? "dossier" : "facility/" + r.facilityId(),
                "observer", Map.of("display", "Dossier"),
                "type", List.of(coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"))));
        event.put("entity", entities(r));
        return event;
    }

    /** The server's agent: the same in every event. */
    private static final Map<String, Object> SERVER = Map.of(
            "type", Map.of("coding", List.of(Map.of("system", "http://dicom.nema.org/resources/ontology/DCM", "code", "110153",
                    "display", "Source Role ID"))),
            "who", Map.of("display", "Dossier"), "requestor", false);

    /** The user as the requesting agent: account, roles, session (as the policy) and network address. */
    private static Map<String, Object> requestingUser(AuditRecord r) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("type", Map.of("coding", List.of(Map.of("system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                "code", "IRCP", "display", "information recipient"))));
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("identifier", Map.of("system", "urn:dossier:staff", "value", r.actorId() == null ? "unknown" : r.actorId().toString()));
        if (r.actorUsername() != null) {
            who.put("display", r.actorUsername());
        }
        user.put("who", who);
        user.put("requestor", true);
        if (r.actorRoles() != null) {
            user.put("role", List.of(Map.of("text", r.actorRoles())));
        }
        if (r.sessionId() != null) {
            user.put("policy", List.of(r.sessionId()));
        }
        if (r.sourceAddress() != null) {
            user.put("network", Map.of("address", r.sourceAddress(), "type", "2"));
        }
        return user;
    }

    /** The patient, the resource touched (with the sections and reason of the decision) and the request id. */
    private static List<Map<String, Object>> entities(AuditRecord r) {
        List<Map<String, Object>> entities = new ArrayList<>();
        if (r.patientId() != null) {
            entities.add(Map.of("what", Map.of("reference", "Patient/" + r.patientId()),
                    "type", coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                    "role", coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient")));
        }
        if (r.resourceType() != null) {
            entities.add(resourceEntity(r));
        }
        if (r.requestId() != null) {
            entities.add(Map.of("what", Map.of("identifier", Map.of("value", r.requestId())),
                    "type", coding("https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", "XrequestId",
                            "X-Request-Id")));
        }
        return entities;
    }

    private static Map<String, Object> resourceEntity(AuditRecord r) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("what", r.resourceId() == null ? Map.of("display", r.resourceType())
                : Map.of("reference", r.resourceType() + "/" + r.resourceId()));
        data.put("type", coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
        data.put("role", coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"));
        List<Map<String, Object>> detail = new ArrayList<>();
        if (r.sections() != null) {
            detail.add(Map.of("type", "sections", "valueString", r.sections()));
        }
        if (r.reasonCode() != null) {
            detail.add(Map.of("type", "reasonCode", "valueString", r.reasonCode()));
        }
        if (!detail.isEmpty()) {
            data.put("detail", detail);
        }
        return data;
    }

    private static String interaction(String action) {
        if (action == null) {
            return "read";
        }
        return switch (action) {
            case "create", "break-glass", "restrict" -> "create";
            case "update", "merge", "unmerge", "lift-restriction", "break-glass-review" -> "update";
            case "search", "list" -> "search-type";
            default -> "read";
        };
    }

    private static String profile(AuditRecord r, String interaction) {
        if (r.patientId() == null) {
            return "IHE.BasicAudit.Read";
        }
        return switch (interaction) {
            case "create" -> "IHE.BasicAudit.PatientCreate";
            case "update" -> "IHE.BasicAudit.PatientUpdate";
            case "search-type" -> "IHE.BasicAudit.PatientQuery";
            default -> "IHE.BasicAudit.PatientRead";
        };
    }

    private static Map<String, Object> coding(String system, String code, String display) {
        return Map.of("system", system, "code", code, "display", display);
    }

    private static AuditEntry entry(ResultSet rs, int n) throws SQLException {
        Integer facility = (Integer) rs.getObject("facility_id");
        AuditRecord record = AuditRecord.at(rs.getTimestamp("recorded_at").toInstant())
                .account((Long) rs.getObject("actor_id"), rs.getString("actor_username")).roles(rs.getString("actor_roles"))
                .session(rs.getString("session_id")).from(rs.getString("source_address"), rs.getString("user_agent")).facility(facility)
                .stored(rs.getString("action"), rs.getString("resource_type"), rs.getString("resource_id")).patient((Long) rs.getObject("patient_id"))
                .stored(AuditRecord.Decision.valueOf(rs.getString("decision")), rs.getString("reason_code"), rs.getString("purpose"),
                        rs.getString("sections"))
                .request(rs.getString("request_id")).detail(rs.getString("detail")).build();
        return new AuditEntry(rs.getLong("seq"), record, rs.getString("prev_hash"), rs.getString("hash"));
    }
}
