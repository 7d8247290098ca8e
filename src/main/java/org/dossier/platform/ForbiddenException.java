package org.dossier.platform;

/** The caller is known but this action is not theirs to take; answered with 403. */
public class ForbiddenException extends RuntimeException {

    private boolean audited;
    private String reasonCode;

    public ForbiddenException(String message) {
        super(message);
    }

    /** Marks a refusal whose audit entry is already written, so that the web layer does not write a second one. */
    public ForbiddenException audited() {
        this.audited = true;
        return this;
    }

    /** The audit reason code the refusal is recorded under when the web layer audits it (ROLE when none is given). */
    public ForbiddenException because(String reasonCode) {
        this.reasonCode = reasonCode;
        return this;
    }

    public String reasonCode() {
        return reasonCode;
    }

    public boolean isAudited() {
        return audited;
    }
}
