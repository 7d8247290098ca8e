package org.dossier.guard;

/** The guard's answer when it does not simply allow: a step-up is needed, or the account is now frozen. */
public class GuardException extends RuntimeException {

    public enum Response { STEP_UP, FREEZE }

    private final Response response;
    private final GuardSignal signal;

    GuardException(Response response, GuardSignal signal, String message) {
        super(message);
        this.response = response;
        this.signal = signal;
    }

    public Response response() {
        return response;
    }

    /** Which signal decided: CANARY, REFUSALS, ENUMERATION, UNEXPLAINED_*, NEW_ADDRESS, ACCOUNT_NOT_ACTIVE. */
    public GuardSignal signal() {
        return signal;
    }
}
