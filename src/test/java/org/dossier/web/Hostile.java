package org.dossier.web;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fuzz's vocabulary of bad input, by the type the server expects: wrong types, empty, huge (under and over the
 * input limits), NUL and control characters, invalid UTF-8 escapes, far and impossible dates, numbers past int and long,
 * negative ids, Unicode edge cases. Values are either text (percent-encoded when sent) or already encoded (a raw escape
 * such as {@code %ff} that no encoder would produce).
 */
final class Hostile {

    /** A value as it is put in a query, form or path: {@code encoded} is sent as is. */
    record Value(String text, boolean encoded) {
        static Value of(String text) {
            return new Value(text, false);
        }

        String wire() {
            return encoded ? text : URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    /** A fragment of JSON written as is (numbers past long, deep nesting, invalid UTF-8 placeholders). */
    record Raw(String json) {
    }

    /** Replaced by invalid UTF-8 bytes once the body is serialized. */
    static final String INVALID_UTF8_MARK = "@@INVALID-UTF8@@";

    static final List<String> TEXTS = List.of("", " ", "\u0000", "a\u0000b", "\u0001\u0002\u001f\u007f", "\t\r\n", "x".repeat(257),
            "x".repeat(5_000), "é".repeat(2_000), "\uD83D\uDE00\uD83D\uDE00", "\u202Eevil", "\uFEFFbom", "e\u0301\u0301\u0301",
            "\uFFFF\uFFFE", "\uD800", "\uDC00x", "𝕏𝕐", "' OR 1=1 --", "%", "_", "\\", "\"", "<script>alert(1)</script>", "${7*7}",
            "../../etc/passwd", "null", "[]", "{}", "-1", "0", "9223372036854775808", "1e309", "NaN", "+999999999-12-31", "2024-02-30",
            "true", "dupont", "ＤＵＰＯＮＴ", "İı", "ß", "\u0085\u2028\u2029");

    static final List<String> ENCODED = List.of("%ff%ff%ff", "%C0%AF%C0%AF", "%ED%A0%80", "%00", "%F4%90%80%80", "%80", "%E2%82",
            "%0d%0aX-Injected:%201", "%25", "%2e%2e", "%C3%28", "%FE%FF");

    static final List<String> NUMBERS = List.of("-1", "0", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "99999999999999999999999999", "1.5", "1e3", "1e309", "0x10", "１２", "٣",
            "+1", " 1", "1 ", "NaN", "Infinity", "-0", "", "abc", "1,5", "00000000000000000001");

    static final List<String> DATES = List.of("+999999999-12-31", "-999999999-01-01", "-0001-01-01", "0000-00-00", "0001-01-01",
            "2024-02-30", "2024-13-01", "9999-12-31", "10000-01-01", "1899-12-31", "1900-01-01", "2200-01-01", "2201-01-01",
            "20240101", "2024-1-1", "2024-01-01T25:00", "today", "", "31/12/2024");

    static final List<String> INSTANTS = List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2026-12-01T09:00:00Z",
            "2026-12-01T09:00:00", "2026-13-01T00:00:00Z", "1899-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
            "2026-12-01T09:00:00+18:00", "2026-12-01T09:00:00-25:00", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "now", "",
            "2026-12-01", "1e12");

    static final List<String> BOOLEANS = List.of("yes", "2", "TRUE", "", "null", "on", "\u0000");

    private Hostile() {
    }

    static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A bad value for a parameter of this type: mostly one of its type's traps, sometimes any text (a wrong type). */
    static Value forType(Class<?> type, Random random) {
        int roll = random.nextInt(10);
        if (roll == 0) {
            return new Value(pick(random, ENCODED), true);
        }
        if (roll == 1) {
            return Value.of(randomText(random));
        }
        if (roll <= 4) {
            return Value.of(pick(random, TEXTS));
        }
        if (isNumber(type)) {
            return Value.of(pick(random, NUMBERS));
        }
        if (type == LocalDate.class) {
            return Value.of(pick(random, DATES));
        }
        if (isInstant(type) || type == LocalDateTime.class) {
            return Value.of(pick(random, INSTANTS));
        }
        if (type == boolean.class || type == Boolean.class) {
            return Value.of(pick(random, BOOLEANS));
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            String name = constants.length == 0 ? "X" : constants[random.nextInt(constants.length)].toString();
            return Value.of(switch (random.nextInt(4)) {
                case 0 -> name.toLowerCase();
                case 1 -> name + "\u0000";
                case 2 -> " " + name;
                default -> "NOT_A_" + name;
            });
        }
        return Value.of(random.nextBoolean() ? pick(random, TEXTS) : pick(random, NUMBERS));
    }

    /** A bad path variable: the wrong shape for an id (or a text that would not fit the record's key). */
    static Value pathValue(Random random) {
        return random.nextInt(4) == 0 ? new Value(pick(random, List.of("%ff", "%00", "%C0%AF", "%20", "%2e%2e", "%E2%82")), true)
                : Value.of(pick(random, List.of("abc", "-1", "0", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
                "2147483648", "1.5", "1e3", "0x10", "１２", "٣", "+1", " 1", "null", "x".repeat(300), "\u0001", "\uD83D\uDE00", "1;drop")));
    }

    /** Any characters, controls and NUL included, from the first planes. */
    static String randomText(Random random) {
        StringBuilder chars = new StringBuilder();
        for (int n = 1 + random.nextInt(16); n > 0; n--) {
            chars.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x20) : random.nextInt(0x3000));
        }
        return chars.toString();
    }

    /** A bad JSON value in place of a field: wrong type, null, out of range, huge, deeply nested, an array for an object. */
    static Object jsonValue(Random random, Object valid) {
        return switch (random.nextInt(16)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> new Raw(pick(random, List.of("-1", "0", "2147483648", "9223372036854775808", "-9223372036854775809", "1.5",
                    "1e308", "1e309", "-1e309", "1" + "0".repeat(1_200), "0.0000000000000000000000001")));
            case 3 -> pick(random, TEXTS);
            case 4 -> pick(random, DATES);
            case 5 -> pick(random, INSTANTS);
            case 6 -> List.of();
            case 7 -> Map.of();
            case 8 -> valid == null ? List.of(1) : List.of(valid, valid);
            case 9 -> new Raw(nested(random.nextBoolean() ? 40 : 1_500, random.nextBoolean()));
            case 10 -> "x".repeat(random.nextBoolean() ? 100_000 : 1_100_000);
            case 11 -> INVALID_UTF8_MARK;
            case 12 -> randomText(random);
            case 13 -> Map.of("id", -1, "$ref", "#", "__proto__", Map.of("admin", true));
            case 14 -> valid instanceof String s ? s + "\u0000" : new Raw("\"" + "\\ud800" + "\"");
            default -> pick(random, NUMBERS);
        };
    }

    /** Nesting of arrays or objects this deep. */
    static String nested(int depth, boolean arrays) {
        return arrays ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    /** A whole body that is not the object the operation reads. */
    static String wholeBody(Random random) {
        return switch (random.nextInt(14)) {
            case 0 -> "[]";
            case 1 -> "null";
            case 2 -> "\"x\"";
            case 3 -> "42";
            case 4 -> "";
            case 5 -> "{";
            case 6 -> "{\"a\":}";
            case 7 -> nested(5_000, true);
            case 8 -> nested(5_000, false);
            case 9 -> "{\"kind\":1,\"kind\":\"x\"}";
            case 10 -> "\uFEFF{}";
            case 11 -> manyKeys(1_200);
            case 12 -> "[{}, {}]";
            default -> "{\"a\":\"" + INVALID_UTF8_MARK + "\"}";
        };
    }

    private static String manyKeys(int n) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        return b.append('}').toString();
    }

    /** JSON text of maps, lists, strings, numbers, booleans, null and raw fragments; non-ASCII escaped when asked. */
    static String json(Object value, boolean escapeNonAscii) {
        StringBuilder b = new StringBuilder();
        write(b, value, escapeNonAscii);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, boolean escape) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Raw raw) {
            b.append(raw.json());
        } else if (v instanceof String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20 || (escape && c > 0x7e) || Character.isSurrogate(c) && !validPair(s, i)) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            b.append('"');
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(first ? "" : ",");
                first = false;
                write(b, String.valueOf(e.getKey()), escape);
                b.append(':');
                write(b, e.getValue(), escape);
            }
            b.append('}');
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                b.append(i == 0 ? "" : ",");
                write(b, list.get(i), escape);
            }
            b.append(']');
        } else {
            write(b, v.toString(), escape);
        }
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** The body's bytes, with each invalid-UTF-8 mark replaced by bytes no decoder accepts. */
    static byte[] bytes(String body) {
        if (!body.contains(INVALID_UTF8_MARK)) {
            return body.getBytes(StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String[] parts = body.split(java.util.regex.Pattern.quote(INVALID_UTF8_MARK), -1);
        for (int i = 0; i < parts.length; i++) {
            out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
            if (i < parts.length - 1) {
                out.writeBytes(new byte[]{(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0xaf, (byte) 0xed, (byte) 0xa0, (byte) 0x80});
            }
        }
        return out.toByteArray();
    }

    static boolean isNumber(Class<?> type) {
        return type == int.class || type == Integer.class || type == long.class || type == Long.class || type == short.class
                || type == Short.class || type == BigDecimal.class || type == double.class || type == Double.class
                || type == float.class || type == Float.class;
    }

    static boolean isInstant(Class<?> type) {
        return type == Instant.class || type == OffsetDateTime.class || type == ZonedDateTime.class;
    }

    /** Mutates a copy of a valid JSON object: one to three fields replaced, removed or added (mass assignment included). */
    @SuppressWarnings("unchecked")
    static Object mutate(Object valid, Random random) {
        if (!(valid instanceof Map<?, ?> map) || map.isEmpty()) {
            return jsonValue(random, valid);
        }
        Map<String, Object> copy = new java.util.LinkedHashMap<>((Map<String, Object>) map);
        List<String> keys = new ArrayList<>(copy.keySet());
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            String key = keys.get(random.nextInt(keys.size()));
            switch (random.nextInt(6)) {
                case 0 -> copy.remove(key);
                case 1 -> copy.put(pick(random, List.of("id", "version", "facilityId", "status", "createdBy", "unknown", "__proto__",
                        "patientId", "roles", "", "\u0000")), jsonValue(random, null));
                case 2 -> copy.put(key, mutate(copy.get(key), random));
                default -> copy.put(key, jsonValue(random, copy.get(key)));
            }
        }
        return copy;
    }
}
