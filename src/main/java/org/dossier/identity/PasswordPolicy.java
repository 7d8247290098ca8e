package org.dossier.identity;

import me.gosimple.nbvcxz.Nbvcxz;
import org.dossier.organization.StaffMember;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * NIST SP 800-63B passwords: at least 12 characters, at most 128, any characters; refused when common or
 * breached, when built on the user's own name, or a trivial repetition or sequence. No composition rules, no expiry.
 * The list of common and breached passwords is nbvcxz's 100,000 most common passwords and 18,000 common English
 * words, this server's own list of French and hospital words ({@code identity/password-blocklist.txt}) and a deployment's own list
 * ({@code dossier.identity.password-blocklist}), compared as {@link CommonPasswords} says.
 */
@Component
class PasswordPolicy {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PasswordPolicy.class);

    static final int MIN_LENGTH = 12;
    static final int MAX_LENGTH = 128;
    /**
     * Lists inside the nbvcxz jar (MIT licence), read from the class loader that loaded nbvcxz itself: its 100,000 most
     * common passwords, and 18,000 common English words (NIST SP 800-63B also names dictionary words).
     */
    static final List<String> NBVCXZ_LISTS = List.of("dictionaries/passwords.txt", "dictionaries/english.txt");

    private final CommonPasswords common;

    PasswordPolicy(@Value("${dossier.identity.password-blocklist:}") String extraList) {
        long start = System.nanoTime();
        List<InputStream> lists = new ArrayList<>();
        try {
            for (String list : NBVCXZ_LISTS) {
                lists.add(Objects.requireNonNull(Nbvcxz.class.getClassLoader().getResourceAsStream(list),
                        "nbvcxz's " + list + " is missing from the class path"));
            }
            lists.add(new ClassPathResource("identity/password-blocklist.txt").getInputStream());
            if (!extraList.isBlank()) {
                lists.add(Files.newInputStream(Path.of(extraList)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the password blocklist", e);
        }
        common = CommonPasswords.load(lists.toArray(InputStream[]::new));
        log.info("{} common or breached passwords loaded in {} ms", common.size(), (System.nanoTime() - start) / 1_000_000);
    }

    int listed() {
        return common.size();
    }

    /** Whether the password, dressed down as {@link CommonPasswords} does, is a common or breached one. */
    boolean isCommon(String password) {
        return common.contains(password);
    }

    /** Refuses (422, field {@code password}) a password that breaks the policy, saying why. */
    void check(String password, StaffMember account) {
        String problem = problem(password, account);
        if (problem != null) {
            throw new InvalidInputException(List.of(new FieldError("password", problem)));
        }
    }

    String problem(String password, StaffMember account) {
        return problem(password, account == null ? List.of() : nameParts(account));
    }

    /** The same rules, against the name parts of whoever chooses the password (a patient's names, their username). */
    String problem(String password, List<String> names) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            return "must be at least " + MIN_LENGTH + " characters; a short sentence is easy to remember";
        }
        if (password.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        String folded = fold(password);
        if (common.contains(password)) {
            return "is a common password, or one found in breaches (perhaps with digits, symbols or letter swaps added); "
                    + "choose another, such as a short sentence";
        }
        if (folded.chars().distinct().count() <= 3) {
            return "repeats too few characters";
        }
        if (isSequence(folded)) {
            return "is a simple sequence of characters";
        }
        for (String part : names) {
            if (part.length() >= 4 && folded.contains(fold(part))) {
                return "must not contain your name or username";
            }
        }
        if (folded.contains("dossier")) {
            return "must not contain the name of this application";
        }
        return null;
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
        return CommonPasswords.fold(s);
    }
}
