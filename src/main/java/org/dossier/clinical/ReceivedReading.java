package org.dossier.clinical;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a clinician reads of a received record in the chart: its kind, label, date and status, the text of its notes
 * (plain-text attachments decoded; anything else named, never rendered: no HTML from a source ever reaches a page),
 * a report's conclusion and its results with their values.
 */
public record ReceivedReading(ReceivedRecord record, List<Text> texts, String conclusion, List<Result> results) {

    /** An attachment: its text when it is plain text, else what it is ({@code text} null, {@code withheld} says why). */
    public record Text(String contentType, String title, String text, Long bytes, String withheld) {
    }

    /**
     * A result a report refers to: the observation kept here (the page words its value, number or not, as the
     * observations tab does), or only what the report displays ({@code observation} null).
     */
    public record Result(String label, Observation observation) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern CHARSET = Pattern.compile("(?i);\\s*charset\\s*=\\s*\"?([A-Za-z0-9._:-]+)\"?");
    private static final Pattern OBSERVATION = Pattern.compile("Observation/(\\d{1,18})");
    /** The most text shown of one attachment (a note is a few kilobytes; the rest is served whole over FHIR). */
    static final int MAX_TEXT = 200_000;

    public String type() {
        return record.resourceType();
    }

    public Instant occurredAt() {
        return record.occurredAt();
    }

    /** The observation ids a report's results name here ({@code Observation/<id>}). */
    static List<Long> resultIds(ReceivedRecord r) {
        List<Long> ids = new ArrayList<>();
        if (!"DiagnosticReport".equals(r.resourceType())) {
            return ids;
        }
        for (JsonNode result : JSON.readTree(r.resource()).path("result")) {
            Matcher m = OBSERVATION.matcher(result.path("reference").asString(""));
            if (m.matches()) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        return ids;
    }

    /** The reading of {@code r}, its results looked up in {@code measured} (observation id → the observation kept here). */
    static ReceivedReading of(ReceivedRecord r, java.util.Map<Long, Result> measured) {
        JsonNode resource = JSON.readTree(r.resource());
        List<Text> texts = new ArrayList<>();
        switch (r.resourceType()) {
            case "DocumentReference" -> resource.path("content").forEach(c -> texts.add(text(c.path("attachment"))));
            case "DiagnosticReport" -> resource.path("presentedForm").forEach(a -> texts.add(text(a)));
            case "CarePlan" -> {
                if (resource.hasNonNull("description")) {
                    texts.add(new Text("text/plain", null, resource.path("description").asString(), null, null));
                }
                resource.path("activity").forEach(a -> {
                    String activity = a.path("detail").path("code").path("text").asString(null);
                    if (activity == null) {
                        activity = a.path("detail").path("code").path("coding").path(0).path("display").asString(null);
                    }
                    if (activity != null) {
                        texts.add(new Text("text/plain", null, activity + statusOf(a.path("detail")), null, null));
                    }
                });
            }
            default -> {
            }
        }
        List<Result> results = new ArrayList<>();
        for (JsonNode result : resource.path("result")) {
            Matcher m = OBSERVATION.matcher(result.path("reference").asString(""));
            Result found = m.matches() ? measured.get(Long.parseLong(m.group(1))) : null;
            results.add(found != null ? found : new Result(result.path("display").asString("—"), null));
        }
        String conclusion = resource.path("conclusion").asString(null);
        return new ReceivedReading(r, texts, conclusion, results);
    }

    private static String statusOf(JsonNode detail) {
        return detail.hasNonNull("status") ? " (" + detail.path("status").asString() + ")" : "";
    }

    /**
     * An attachment as text: decoded when it is {@code text/plain} in a charset this server knows, else named only
     * (HTML, PDF, images… are kept and served over FHIR, never rendered in a page from a source).
     */
    static Text text(JsonNode attachment) {
        String contentType = attachment.path("contentType").asString("");
        String title = attachment.path("title").asString(null);
        String data = attachment.path("data").asString(null);
        if (data == null) {
            String url = attachment.path("url").asString(null);
            return new Text(contentType, title, null, null, url == null ? "no content" : "content at " + url + " (not fetched)");
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            return new Text(contentType, title, null, null, "content not valid base64");
        }
        String media = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
        if (!media.equals("text/plain")) {
            return new Text(contentType, title, null, (long) bytes.length, "not shown here: " + (media.isEmpty() ? "no type" : media));
        }
        Charset charset = StandardCharsets.UTF_8;
        Matcher m = CHARSET.matcher(contentType);
        if (m.find()) {
            try {
                charset = Charset.forName(m.group(1));
            } catch (RuntimeException e) {
                return new Text(contentType, title, null, (long) bytes.length, "not shown here: unknown charset " + m.group(1));
            }
        }
        String text = new String(bytes, charset);
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT) + "\n…";
        }
        return new Text(contentType, title, text, (long) bytes.length, null);
    }
}
