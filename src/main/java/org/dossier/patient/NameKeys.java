package org.dossier.patient;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** Search keys for names: accents, case and punctuation removed, so that "Hélène" and "helene" meet. */
public final class NameKeys {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NON_LETTERS = Pattern.compile("[^a-z0-9]+");

    private NameKeys() {
    }

    public static String of(String name) {
        if (name == null) {
            return null;
        }
        String decomposed = Normalizer.normalize(name.replace("Œ", "OE").replace("œ", "oe")
                .replace("Æ", "AE").replace("æ", "ae").replace("ß", "ss"), Normalizer.Form.NFD);
        String plain = MARKS.matcher(decomposed).replaceAll("").toLowerCase(Locale.ROOT);
        return NON_LETTERS.matcher(plain).replaceAll(" ").strip();
    }

    /** Letters only, for counting how much of a name the caller really typed. */
    static int letterCount(String key) {
        return key == null ? 0 : key.replace(" ", "").length();
    }
}
