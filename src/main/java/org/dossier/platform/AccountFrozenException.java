package org.dossier.platform;

/** The account was frozen (by the guard, now or earlier): nothing is served and every session is over; answered with 403. */
public class AccountFrozenException extends ForbiddenException {

    public AccountFrozenException(String message) {
        super(message);
    }
}
