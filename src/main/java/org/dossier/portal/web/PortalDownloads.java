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
import java.util.List;

/**
 * What the patient downloads: the list of accesses as CSV or PDF (at most 1,000, newest first), for their own records or
 * a complaint, and the documents released to them.
 */
@RestController
class PortalDownloads {

    private final PortalCases cases;
    private final PortalSessions sessions;
    private final PortalRecord record;
    private final org.springframework.context.MessageSource messages;
    private final java.time.Clock clock;
    private final ZoneId zone;

    PortalDownloads(PortalCases cases, PortalSessions sessions, PortalRecord record, org.springframework.context.MessageSource messages,
                    java.time.Clock clock, org.dossier.care.SchedulingService scheduling) {
        this.clock = clock;
        this.messages = messages;
        this.cases = cases;
        this.record = record;
        this.sessions = sessions;
        this.zone = scheduling.zone();
    }

    @GetMapping("/portal/accesses.csv")
    ResponseEntity<String> csv(HttpServletRequest request) {
        if (!sessions.recentlyConfirmed(request)) {
            return PortalStepUp.confirmFirst(request);
        }
        StringBuilder b = new StringBuilder("audit_seq,date,time,staff_roles,staff_units,action,sections,reason,break_glass_reason,purpose,channel,"
                + "staff_name\n");
        DateTimeFormatter date = DateTimeFormatter.ISO_LOCAL_DATE.withZone(zone);
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
        for (PortalCases.AccessLine l : cases.allAccesses(sessions.actor(request))) {
            var e = l.entry();
            b.append(e.seq()).append(',').append(date.format(e.at())).append(',').append(time.format(e.at())).append(',')
                    .append(cell(e.actorRoles())).append(',').append(cell(who(l))).append(',')
                    .append(cell(e.action())).append(',').append(cell(e.sections())).append(',').append(cell(e.reasonCode())).append(',')
                    .append(cell(l.breakGlassReason())).append(',').append(cell(e.purpose())).append(',').append(cell(e.channel())).append(',')
                    .append(cell(l.staffName())).append('\n');
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"accesses-to-my-record.csv\"").body(b.toString());
    }

    /**
     * The same list as a PDF (ADR 0044), in the patient's language: a block per access with the date and time, who (roles
     * and units, the name when the hospital shows names), the reason in plain words and its code, what was shown and the
     * channel, and the entry's number in the audit trail.
     */
    @GetMapping("/portal/accesses.pdf")
    ResponseEntity<byte[]> pdf(HttpServletRequest request) {
        if (!sessions.recentlyConfirmed(request)) {
            return PortalStepUp.confirmFirst(request);
        }
        java.util.Locale locale = org.springframework.context.i18n.LocaleContextHolder.getLocale();
        DateTimeFormatter when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone);
        List<PortalCases.AccessLine> lines = cases.allAccesses(sessions.actor(request));
        List<AccessListPdf.Block> blocks = lines.stream().map(l -> block(l, when, locale)).toList();
        byte[] pdf = AccessListPdf.write(text("portal.accesses.title", locale), List.of(text("portal.accesses.intro", locale),
                messages.getMessage("portal.accesses.pdfCount", new Object[]{lines.size(), when.format(clock.instant())}, locale)), blocks);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"accesses-to-my-record.pdf\"")
                .header("X-Content-Type-Options", "nosniff").header(HttpHeaders.CACHE_CONTROL, "no-store").body(pdf);
    }

    private AccessListPdf.Block block(PortalCases.AccessLine l, DateTimeFormatter when, java.util.Locale locale) {
        var e = l.entry();
        String who = (l.staffName() == null ? "" : l.staffName() + ", ") + (e.actorRoles() == null ? "" : e.actorRoles().replace(",", ", "))
                + (who(l).isEmpty() ? "" : " — " + who(l));
        String why = text("portal.reason." + e.reasonCode(), locale) + " (" + e.reasonCode() + ")"
                + (l.breakGlassReason() == null ? "" : ": " + text("portal.bg." + l.breakGlassReason(), locale));
        return new AccessListPdf.Block(when.format(e.at()) + " — " + who, List.of(
                text("portal.accesses.why", locale) + ": " + why,
                text("portal.accesses.what", locale) + ": " + e.action() + (e.sections() == null ? "" : " · " + e.sections().replace(",", ", "))
                        + " — " + text("portal.accesses.channel", locale) + ": " + text("portal.channel." + e.channel(), locale)
                        + " — " + messages.getMessage("portal.accesses.pdfSeq", new Object[]{Long.toString(e.seq())}, locale)));
    }

    private String text(String key, java.util.Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }

    /** The units of the staff member, or the words for a read made under an earlier enrolment, in the patient's language. */
    private String who(PortalCases.AccessLine l) {
        if (l.earlier() == null) {
            return String.join("; ", l.units());
        }
        java.util.Locale locale = org.springframework.context.i18n.LocaleContextHolder.getLocale();
        return l.earlier().issuer() == null
                ? messages.getMessage("portal.accesses.earlierNoIssuer", new Object[]{l.earlier().enrolledOn()}, locale)
                : messages.getMessage("portal.accesses.earlier", new Object[]{l.earlier().enrolledOn(), l.earlier().issuer()}, locale);
    }

    /**
     * A document released to the patient (ADR 0044), always as a download (attachment): its type is the one its bytes proved
     * at upload (PDF, PNG, JPEG), its file name reduced to letters, digits and a few signs (no quote, slash or line break can
     * reach the header), and the answer sandboxed and never cached, as the staff's view of a document is.
     */
    @GetMapping("/portal/documents/{id}")
    ResponseEntity<byte[]> document(@PathVariable long id, HttpServletRequest request) {
        if (!sessions.recentlyConfirmed(request)) {
            return PortalStepUp.confirmFirst(request);
        }
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
