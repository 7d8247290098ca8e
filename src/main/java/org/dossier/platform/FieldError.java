package org.dossier.platform;

/** One rejected input field, with a message a person can act on. */
public record FieldError(String field, String message) {
}
