package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NIST SP 800-63B passwords: at least 12 characters, at most 128, any characters; refused when common or
 * breached (the shipped list plus a deployment's own list, {@code dossier.identity.password-blocklist}),
 * when built on the user's own name, or a trivial repetition or sequence. No composition rules, no expiry.
 */
@Component
class PasswordPolicy {

    static final int MIN_LENGTH = 12;
    static final int MAX_LENGTH = 128;

    private final Set<String> blocklist = new HashSet<>();

    PasswordPolicy(@Value("${dossier.identity.password-blocklist:}") String extraList) {
        try {
            load(new String(new ClassPathResource("identity/password-blocklist.txt").getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            if (!extraList.isBlank()) {
                load(Files.readString(Path.of(extraList), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the password blocklist", e);
        }
    }

    /** Refuses (422, field {@code password}) a password that breaks the policy, saying why. */
    void check(String password, StaffMember account) {
        String problem = problem(password, account);
        if (problem != null) {
            throw new InvalidInputException(List.of(new FieldError("password", problem)));
        }
    }

    String problem(String password, StaffMember account) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            return "must be at least " + MIN_LENGTH + " characters; a short sentence is easy to remember";
        }
        if (password.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        String folded = fold(password);
        if (blocklist.contains(folded) || blocklist.contains(password.toLowerCase(Locale.ROOT))) {
            return "is among known common or breached passwords; choose another";
        }
        if (folded.chars().distinct().count() <= 3) {
            return "repeats too few characters";
        }
        if (isSequence(folded)) {
            return "is a simple sequence of characters";
        }
        if (account != null) {
            for (String part : nameParts(account)) {
                if (part.length() >= 4 && folded.contains(part)) {
                    return "must not contain your name or username";
                }
            }
        }
        if (folded.contains("dossier")) {
            return "must not contain the name of this application";
        }
        return null;
    }

    private void load(String text) {
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                blocklist.add(fold(l));
            }
        }
    }

    private static List<String> nameParts(StaffMember account) {
        List<String> parts = new java.util.ArrayList<>();
        parts.add(fold(account.username()));
        for (String p : fold(account.username()).split("[^a-z0-9]+")) {
            parts.add(p);
        }
        for (String p : fold(account.displayName()).split("[^a-z0-9]+")) {
            parts.add(p);
        }
        return parts;
    }

    private static boolean isSequence(String s) {
        int ascending = 0;
        int descending = 0;
        for (int i = 1; i < s.length(); i++) {
            int d = s.charAt(i) - s.charAt(i - 1);
            ascending += d == 1 ? 1 : 0;
            descending += d == -1 ? 1 : 0;
        }
        return ascending >= s.length() - 2 || descending >= s.length() - 2;
    }

    static String fold(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
    }
}
