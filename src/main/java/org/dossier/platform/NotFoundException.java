package org.dossier.platform;

/** The thing asked for does not exist, or the caller may not know that it exists; answered with 404. */
public class NotFoundException extends RuntimeException {

    private boolean audited;

    public NotFoundException(String message) {
        super(message);
    }

    /** Marks an answer whose audit entry is already written, so that the web layer does not write a second one. */
    public NotFoundException audited() {
        this.audited = true;
        return this;
    }

    public boolean isAudited() {
        return audited;
    }
}
