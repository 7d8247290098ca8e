package org.dossier.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.platform.InputLimits;
import org.dossier.platform.InputRefused;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Refuses, before any other work, input the server cannot store or should not spend work on: query parameters that
 * are not UTF-8 or hold a NUL or control character (PostgreSQL refuses U+0000 in text), dates of impossible years
 * in a query, a body whose media type is a wildcard, JSON bodies over {@link InputLimits#MAX_JSON_BYTES}, with too
 * many keys, or with a NUL in any string, and someone's words in the address of a change ({@link #WORDS}). Each refusal is
 * an RFC 9457 problem naming what to fix; nothing is written.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class InputFilter extends OncePerRequestFilter {

    private static final JsonFactory JSON = new JsonFactory();
    /** An ISO date or instant whose year has a sign or more than four digits. */
    private static final Pattern FAR_YEAR = Pattern.compile("^\\s*([+-]\\d{4,}|\\d{5,})-\\d{2}(-\\d{2}([T ].*)?)?\\s*$");

    /**
     * Parameters that carry someone's words (a reason, a comment, a note, a title): a request that changes something sends
     * them in its body, never in its address, which reaches the access logs of every proxy on the way (HAProxy, a
     * reverse proxy) where nothing seals it (issue 22). Searches (GET) keep their criteria in the query.
     */
    private static final java.util.Set<String> WORDS = java.util.Set.of("reason", "comment", "justification", "message", "note",
            "title", "body", "answer", "text", "description");

    private final ApplicationEventPublisher events;

    InputFilter(ApplicationEventPublisher events) {
        this.events = events;
    }

    /** Why a request is refused: its status, problem code, title and what to do about it. */
    record Refusal(HttpStatus status, String code, String title, String detail) {
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Refusal refusal = checkQuery(request.getQueryString(), changesWithoutFhir(request));
        HttpServletRequest forward = request;
        if (refusal == null && hasBody(request)) {
            String contentType = request.getContentType();
            refusal = checkMediaType(contentType);
            if (refusal == null && isJson(contentType)) {
                boolean bundle = isBundleImport(request);
                int limit = bundle ? InputLimits.MAX_BUNDLE_BYTES : InputLimits.MAX_JSON_BYTES;
                long declared = request.getContentLengthLong();
                if (declared > limit) {
                    refusal = tooLarge(bundle);
                } else {
                    byte[] body = readAtMost(request.getInputStream(), limit);
                    if (body == null) {
                        refusal = tooLarge(bundle);
                    } else {
                        refusal = checkJson(body, bundle ? Integer.MAX_VALUE : InputLimits.MAX_KEYS);
                        forward = new CachedBody(request, body);
                    }
                }
            } else if (refusal == null && contentType != null
                    && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                refusal = checkForm(request);
            }
        }
        if (refusal != null) {
            events.publishEvent(new InputRefused(request.getMethod(), request.getRequestURI(), request.getRemoteAddr(),
                    refusal.status().value(), refusal.detail()));
            Problems.write(request, response, Problems.of(refusal.status(), refusal.code(), refusal.title(), refusal.detail(), request));
            return;
        }
        chain.doFilter(forward, response);
    }

    private static Refusal tooLarge(boolean bundle) {
        return new Refusal(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request body too large", bundle
                ? "An import Bundle may be at most " + (InputLimits.MAX_BUNDLE_BYTES >> 20) + " MiB (" + InputLimits.MAX_BUNDLE_BYTES
                + " bytes): split it (one patient per bundle); nothing was read or stored"
                : "A JSON request body may be at most 1 MiB (" + InputLimits.MAX_JSON_BYTES + " bytes); nothing was read or stored."
                        + " Documents are uploaded as multipart/form-data, up to 10 MB");
    }

    /** POST /fhir with a transaction or batch Bundle: an import from another system, larger than any other body. */
    private static boolean isBundleImport(HttpServletRequest request) {
        return "POST".equals(request.getMethod()) && ("/fhir".equals(request.getRequestURI()) || "/fhir/".equals(request.getRequestURI()));
    }

    private static boolean hasBody(HttpServletRequest request) {
        String method = request.getMethod();
        boolean mayHaveBody = "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method) || "DELETE".equals(method);
        return mayHaveBody && (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null);
    }

    static Refusal checkMediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        String type = contentType.split(";", 2)[0].strip();
        int slash = type.indexOf('/');
        if (slash <= 0 || slash == type.length() - 1 || type.contains("*")) {
            return new Refusal(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type",
                    "The body's Content-Type '" + printable(contentType) + "' names no format: send JSON as application/json"
                            + " (FHIR as application/fhir+json, documents as multipart/form-data)");
        }
        return null;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json");
    }

    /**
     * A request that may change something, outside FHIR: FHIR's interactions keep their own parameters (a conditional
     * write's criteria are FHIR search parameters, and POST {@code _search} already moves them to the body).
     */
    private static boolean changesWithoutFhir(HttpServletRequest request) {
        String method = request.getMethod();
        String path = request.getRequestURI();
        return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method)
                && !"/fhir".equals(path) && !path.startsWith("/fhir/");
    }

    static Refusal checkQuery(String query) {
        return checkQuery(query, false);
    }

    /**
     * The query's parameters, decoded strictly: percent-escapes must spell UTF-8, and no NUL or control character; and for
     * a change, none of {@link #WORDS}.
     */
    static Refusal checkQuery(String query, boolean change) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        if (query.length() > InputLimits.MAX_QUERY_CHARS) {
            return new Refusal(HttpStatus.URI_TOO_LONG, "uri-too-long", "The address is too long",
                    "The query may be at most " + InputLimits.MAX_QUERY_CHARS + " characters (percent-escapes counted as sent); "
                            + "search with fewer or shorter parameters");
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = decode(rawName);
            String shownName = name == null ? printable(rawName) : printable(name);
            if (name == null || (eq >= 0 && decode(pair.substring(eq + 1)) == null)) {
                return new Refusal(HttpStatus.BAD_REQUEST, "invalid-parameter", "A parameter is not valid text",
                        "Parameter '" + shownName + "' is not valid UTF-8 text: percent-encode its value as UTF-8");
            }
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (hasControl(name) || hasControl(value)) {
                return new Refusal(HttpStatus.BAD_REQUEST, "invalid-parameter", "A parameter holds a control character",
                        "Parameter '" + shownName + "' contains a NUL or control character, which cannot be searched or stored: remove it");
            }
            if (change && WORDS.contains(name.strip().toLowerCase(Locale.ROOT))) {
                // the value is not repeated: the refusal is logged and audited, which is what it keeps the words out of
                return new Refusal(HttpStatus.BAD_REQUEST, "words-in-address", "Words belong in the body, not the address",
                        "Parameter '" + shownName + "' must be sent in the request's body (JSON, or a form field), never in the"
                                + " address: addresses reach proxies' access logs. Nothing was changed");
            }
            if (FAR_YEAR.matcher(value).matches()) {
                return new Refusal(HttpStatus.BAD_REQUEST, "invalid-parameter", "A date is out of range",
                        "Parameter '" + shownName + "': " + InputLimits.yearRangeMessage());
            }
        }
        return null;
    }

    private static Refusal checkForm(HttpServletRequest request) {
        Map<String, String[]> parameters;
        try {
            parameters = request.getParameterMap();
        } catch (RuntimeException unreadable) {
            return new Refusal(HttpStatus.BAD_REQUEST, "invalid-parameter", "The form is not valid text",
                    "The form could not be read as UTF-8 text; nothing was stored");
        }
        for (Map.Entry<String, String[]> e : parameters.entrySet()) {
            boolean control = hasControl(e.getKey());
            for (String v : e.getValue()) {
                control |= hasControl(v);
            }
            if (control) {
                return new Refusal(HttpStatus.BAD_REQUEST, "invalid-parameter", "A field holds a control character",
                        "Field '" + printable(e.getKey()) + "' contains a NUL or control character, which cannot be stored: remove it");
            }
        }
        return null;
    }

    /** Percent-decodes ('+' is a space) and decodes as strict UTF-8; null when either fails. */
    static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** NUL and the C0/C1 control characters other than tab, line feed and carriage return. */
    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f)) {
                return true;
            }
        }
        return false;
    }

    /** Scans a JSON body once, without binding: key counts, and no NUL in any key or string. */
    static Refusal checkJson(byte[] body, int maxKeys) {
        Deque<int[]> objects = new ArrayDeque<>();
        int keys = 0;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case START_OBJECT -> objects.push(new int[1]);
                    case END_OBJECT -> objects.pop();
                    case PROPERTY_NAME -> {
                        keys++;
                        if (++objects.peek()[0] > InputLimits.MAX_KEYS_PER_OBJECT || keys > maxKeys) {
                            return new Refusal(HttpStatus.BAD_REQUEST, "too-many-keys", "Too many keys",
                                    "The JSON body has too many keys (at most " + InputLimits.MAX_KEYS_PER_OBJECT + " in one object, "
                                            + InputLimits.MAX_KEYS + " in all, import Bundles excepted); send only the fields of the operation");
                        }
                        if (p.getString().indexOf('\u0000') >= 0) {
                            return nul("a key");
                        }
                    }
                    case VALUE_STRING -> {
                        if (p.getString().indexOf('\u0000') >= 0) {
                            return nul("'" + printable(fieldOf(p)) + "'");
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (RuntimeException malformed) {
            // Not JSON: the binding answers 400 with the parser's own message.
            return null;
        }
        return null;
    }

    private static String fieldOf(JsonParser p) {
        String name = p.streamReadContext() == null ? null : p.streamReadContext().currentName();
        return name == null ? "a value" : name;
    }

    private static Refusal nul(String where) {
        return new Refusal(HttpStatus.BAD_REQUEST, "nul-character", "A text holds a NUL character",
                "Field " + where + " contains a NUL character (U+0000), which cannot be stored: remove it; nothing was stored");
    }

    /** Shown back to the caller: control characters replaced, at most 60 characters. */
    private static String printable(String s) {
        String shown = s.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 60 ? shown.substring(0, 60) + "…" : shown;
    }

    /** The whole stream when it holds at most {@code limit} bytes, else null (the rest is not read). */
    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out.size() + n > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** The request with its body already read, served again from memory to whoever reads it next. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), java.nio.charset.Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
