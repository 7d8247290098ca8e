package org.dossier.platform;

/** Input refused for its form (400), with a code naming the problem and a message a person can act on. */
public class BadRequestException extends RuntimeException {

    private final String code;

    public BadRequestException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
