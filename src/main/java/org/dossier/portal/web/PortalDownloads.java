package org.dossier.portal.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.portal.PortalCases;
import org.dossier.portal.PortalSessions;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The patient's list of accesses as CSV (at most 1,000, newest first), for their own records or a complaint. */
@RestController
class PortalDownloads {

    private final PortalCases cases;
    private final PortalSessions sessions;
    private final ZoneId zone;

    PortalDownloads(PortalCases cases, PortalSessions sessions, org.dossier.care.SchedulingService scheduling) {
        this.cases = cases;
        this.sessions = sessions;
        this.zone = scheduling.zone();
    }

    @GetMapping("/portal/accesses.csv")
    ResponseEntity<String> csv(HttpServletRequest request) {
        StringBuilder b = new StringBuilder("audit_seq,date,time,staff_roles,staff_units,action,sections,reason,break_glass_reason,purpose,channel\n");
        DateTimeFormatter date = DateTimeFormatter.ISO_LOCAL_DATE.withZone(zone);
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
        for (PortalCases.AccessLine l : cases.allAccesses(sessions.actor(request))) {
            var e = l.entry();
            b.append(e.seq()).append(',').append(date.format(e.at())).append(',').append(time.format(e.at())).append(',')
                    .append(cell(e.actorRoles())).append(',').append(cell(String.join("; ", l.units()))).append(',')
                    .append(cell(e.action())).append(',').append(cell(e.sections())).append(',').append(cell(e.reasonCode())).append(',')
                    .append(cell(l.breakGlassReason())).append(',').append(cell(e.purpose())).append(',').append(cell(e.channel())).append('\n');
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"accesses-to-my-record.csv\"").body(b.toString());
    }

    /**
     * A quoted CSV cell; a leading =, +, -, @, tab or carriage return is defused so that a spreadsheet does not run it as a
     * formula (OWASP's list), whatever lines follow in the cell.
     */
    static String cell(String value) {
        if (value == null) {
            return "";
        }
        String v = value.matches("(?s)^[=+\\-@\\t\\r].*") ? "'" + value : value;
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }
}
