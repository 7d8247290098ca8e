package org.dossier.platform;

/** The version a change is based on, which every change request must send. */
public final class Versions {

    private Versions() {
    }

    /** Refuses (422) a change that does not say which version it was based on. */
    public static int required(Integer version) {
        if (version == null) {
            throw new InvalidInputException("version", "send the version you read, so that a concurrent change is not lost");
        }
        return version;
    }
}
