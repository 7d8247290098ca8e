package org.dossier.platform;

/** The caller is known but this action is not theirs to take; answered with 403. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
