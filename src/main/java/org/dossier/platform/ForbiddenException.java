package org.dossier.platform;

/** The caller is known but this action is not theirs to take; answered with 403. */
public class ForbiddenException extends RuntimeException {

    private boolean audited;

    public ForbiddenException(String message) {
        super(message);
    }

    /** Marks a refusal whose audit entry is already written, so that the web layer does not write a second one. */
    public ForbiddenException audited() {
        this.audited = true;
        return this;
    }

    public boolean isAudited() {
        return audited;
    }
}
