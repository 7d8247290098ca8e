package org.dossier.platform;

import java.util.Map;

/** The request clashes with the current state (a stale version, a duplicate, a taken slot); answered with 409. */
public class ConflictException extends RuntimeException {

    private final String code;
    private final Map<String, Object> details;

    public ConflictException(String code, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ConflictException(String code, String message) {
        this(code, message, Map.of());
    }

    /** The record changed since the caller read it: optimistic locking refused a stale version. */
    public static ConflictException stale(long id, int expected, int actual) {
        return new ConflictException("stale-version", "Record " + id + " changed since you read it (you had version " + expected
                + ", it is now " + actual + "); reload and retry", Map.of("currentVersion", actual));
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
