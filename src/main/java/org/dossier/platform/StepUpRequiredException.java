package org.dossier.platform;

/** A sensitive action needs a second factor used within the last minutes; answered with 403 and how to step up. */
public class StepUpRequiredException extends RuntimeException {
    public StepUpRequiredException(String message) {
        super(message);
    }
}
