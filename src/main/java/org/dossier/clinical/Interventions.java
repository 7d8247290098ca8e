package org.dossier.clinical;

import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Texts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What a procedure and an immunization both need to be recorded: a code, a label, a status FHIR knows. */
final class Interventions {

    private Interventions() {
    }

    static void validate(String codeSystem, String code, String label, String status, Set<String> statuses) {
        List<FieldError> errors = new ArrayList<>();
        if (Texts.isBlank(label) || label.length() > 300) {
            errors.add(new FieldError("code.text", "is required (at most 300 characters)"));
        }
        if (code != null && (code.isBlank() || code.length() > 100)) {
            errors.add(new FieldError("code", "at most 100 characters"));
        }
        if (codeSystem != null && codeSystem.length() > 300) {
            errors.add(new FieldError("code.system", "at most 300 characters"));
        }
        if (status == null || !statuses.contains(status)) {
            errors.add(new FieldError("status", "must be one of " + new java.util.TreeSet<>(statuses)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
