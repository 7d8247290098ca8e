package org.dossier.platform;

import java.time.LocalDate;

/**
 * The sizes and ranges input must keep to: what is refused before any expensive work (hashing, binding, a query),
 * with a 4xx a person can act on. Documents are uploaded as multipart and keep their own limit (10 MB).
 */
public final class InputLimits {

    /**
     * The longest query string read (in characters as sent, escapes included). The container parses request lines up to
     * 32 KiB ({@code server.max-http-request-header-size}), so a longer query is still answered in the caller's format.
     */
    public static final int MAX_QUERY_CHARS = 16_384;

    /** Usernames longer than this are refused before any password hashing. */
    public static final int MAX_USERNAME = 256;
    /** Passwords longer than this are refused before any password hashing. */
    public static final int MAX_PASSWORD = 1024;
    /** A JSON request body larger than this is refused (413) before it is read further. */
    public static final int MAX_JSON_BYTES = 1024 * 1024;
    /**
     * An import Bundle (POST /fhir) may be larger: one patient's transaction carries their whole history, and Synthea's
     * twenty years of it reach 42 MB (claims and base64 notes make most of it). Parsed, such a bundle takes about ten
     * times its size in heap, which is why the limit stays bounded and the operation an authenticated administrator's.
     */
    public static final int MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
    /** An object of a JSON request body with more keys than this is refused (400) before binding. */
    public static final int MAX_KEYS_PER_OBJECT = 1000;
    /** All the keys of a JSON request body together. */
    public static final int MAX_KEYS = 50_000;
    /** Dates and times are refused outside these years: PostgreSQL cannot store some, and none is a real one here. */
    public static final int MIN_YEAR = 1900;
    public static final int MAX_YEAR = 2200;

    private InputLimits() {
    }

    public static boolean yearInRange(int year) {
        return year >= MIN_YEAR && year <= MAX_YEAR;
    }

    public static String yearRangeMessage() {
        return "dates and times must be between the years " + MIN_YEAR + " and " + MAX_YEAR;
    }

    public static boolean inRange(LocalDate date) {
        return date == null || yearInRange(date.getYear());
    }
}
