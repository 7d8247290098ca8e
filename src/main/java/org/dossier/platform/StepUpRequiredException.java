package org.dossier.platform;

/**
 * A sensitive action needs a second factor used within the last minutes; answered with 403 and how to step up. When the
 * guard asks (an unusual access), the answer also needs the reason, which the audit entry keeps.
 */
public class StepUpRequiredException extends RuntimeException {

    private final boolean reasonRequired;

    public StepUpRequiredException(String message) {
        this(message, false);
    }

    public StepUpRequiredException(String message, boolean reasonRequired) {
        super(message);
        this.reasonRequired = reasonRequired;
    }

    /** The guard asked: a second factor proven after the question, and a reason. */
    public boolean reasonRequired() {
        return reasonRequired;
    }
}
