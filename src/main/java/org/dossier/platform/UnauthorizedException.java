package org.dossier.platform;

/** Credentials missing or wrong; always the same generic message so that it reveals nothing. Answered with 401. */
public class UnauthorizedException extends RuntimeException {
    public UnauthorizedException(String message) {
        super(message);
    }
}
