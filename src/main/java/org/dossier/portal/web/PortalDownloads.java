package org.dossier.portal.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ClinicalDocument;
import org.dossier.clinical.DocumentService;
import org.dossier.portal.PortalCases;
import org.dossier.portal.PortalRecord;
import org.dossier.portal.PortalSessions;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * What the patient downloads: the list of accesses as CSV (at most 1,000, newest first), for their own records or a
 * complaint, and the documents released to them.
 */
@RestController
class PortalDownloads {

    private final PortalCases cases;
    private final PortalSessions sessions;
    private final PortalRecord record;
    private final ZoneId zone;

    PortalDownloads(PortalCases cases, PortalSessions sessions, PortalRecord record, org.dossier.care.SchedulingService scheduling) {
        this.cases = cases;
        this.record = record;
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
     * A document released to the patient (ADR 0044), always as a download (attachment): its type is the one its bytes proved
     * at upload (PDF, PNG, JPEG), its file name reduced to letters, digits and a few signs (no quote, slash or line break can
     * reach the header), and the answer sandboxed and never cached, as the staff's view of a document is.
     */
    @GetMapping("/portal/documents/{id}")
    ResponseEntity<byte[]> document(@PathVariable long id, HttpServletRequest request) {
        DocumentService.Content content = record.document(sessions.actor(request), id);
        ClinicalDocument d = content.document();
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(d.contentType()))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(safeName(d.title()) + extension(d.contentType()), StandardCharsets.UTF_8).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "sandbox; default-src 'none'")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(content.bytes());
    }

    /** A file name from a document's title: letters, digits, space, dot, dash and underscore; anything else becomes "_". */
    static String safeName(String title) {
        String name = title == null ? "" : title.replaceAll("[^\\p{L}\\p{N} ._-]", "_").strip();
        return name.isEmpty() || name.chars().allMatch(c -> c == '.') ? "document" : name.length() > 100 ? name.substring(0, 100) : name;
    }

    private static String extension(String contentType) {
        return switch (contentType) {
            case "application/pdf" -> ".pdf";
            case "image/png" -> ".png";
            default -> ".jpg";
        };
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
