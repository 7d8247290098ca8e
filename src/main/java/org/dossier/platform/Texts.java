package org.dossier.platform;

/** Small helpers for optional text input. */
public final class Texts {

    private Texts() {
    }

    public static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The stripped text, or null when blank. */
    public static String clean(String s) {
        return isBlank(s) ? null : s.strip();
    }

    /** Refuses (422) a blank reason: every change says why, and the reason stays in the history. */
    public static String requireReason(String reason) {
        if (isBlank(reason)) {
            throw new InvalidInputException("reason", "say why; it is kept in the record's history");
        }
        if (reason.length() > 1000) {
            throw new InvalidInputException("reason", "at most 1000 characters");
        }
        return reason.strip();
    }
}
