package org.dossier.identity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The common and breached passwords a password must not be, kept as a sorted array of 64-bit hashes of their folded
 * form: 100,000 entries cost 0.8 MB instead of the ~10 MB of a set of strings, and a lookup is a binary search.
 * A hash collision can only refuse a password that is not listed (about one chance in 10^14 per lookup), never accept
 * one that is.
 *
 * <p>A password is compared in several forms, so that the usual ways of dressing up a listed password do not get
 * past the list (they are the first rules a cracker tries): case and accents folded, spaces removed, digits and
 * symbols added at either end stripped ({@code Password123!} is {@code password}), and basic leetspeak undone
 * ({@code P@ssw0rd} is {@code password}). A stripped form must keep at least {@link #MIN_CORE} letters, so that a
 * listed two-letter word does not refuse everything that starts with it.
 */
final class CommonPasswords {

    static final int MIN_CORE = 4;

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern ENDS = Pattern.compile("^[^\\p{L}]+|[^\\p{L}]+$");
    private static final Pattern END = Pattern.compile("[^\\p{L}]+$");

    private final long[] hashes;

    private CommonPasswords(long[] sortedDistinct) {
        this.hashes = sortedDistinct;
    }

    /** Reads lists of one password a line ({@code #} starts a comment); each stream is closed. */
    static CommonPasswords load(InputStream... lists) {
        long[] all = new long[1 << 17];
        int n = 0;
        for (InputStream list : lists) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8), 1 << 16)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    if (n == all.length) {
                        all = Arrays.copyOf(all, all.length * 2);
                    }
                    all[n++] = hash(fold(l));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read a list of common passwords", e);
            }
        }
        Arrays.sort(all, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || all[i] != all[distinct - 1]) {
                all[distinct++] = all[i];
            }
        }
        return new CommonPasswords(Arrays.copyOf(all, distinct));
    }

    int size() {
        return hashes.length;
    }

    /** Whether the password, or one of its dressed-down forms, is on the list. */
    boolean contains(String password) {
        for (String form : forms(password)) {
            if (Arrays.binarySearch(hashes, hash(form)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The forms compared with the list: the folded password, without spaces, stripped at its ends, un-leeted. */
    static Set<String> forms(String password) {
        Set<String> forms = new LinkedHashSet<>();
        String folded = fold(password);
        for (String base : new String[] {folded, SPACES.matcher(folded).replaceAll("")}) {
            forms.add(base);
            for (String x : new String[] {base, stripTrailing(base), strip(base)}) {
                addCore(forms, x);
                for (String d : new String[] {unleet(x, 'i'), unleet(x, 'l')}) {
                    addCore(forms, d);
                    addCore(forms, strip(d));
                }
            }
        }
        return forms;
    }

    private static void addCore(Set<String> forms, String s) {
        if (s.codePoints().filter(Character::isLetter).count() >= MIN_CORE) {
            forms.add(s);
        }
    }

    /** Digits, symbols and spaces removed from both ends. */
    static String strip(String s) {
        return ENDS.matcher(s).replaceAll("");
    }

    private static String stripTrailing(String s) {
        return END.matcher(s).replaceAll("");
    }

    /** The usual letter-for-digit or -symbol swaps undone; a {@code 1} stands for an i or an l, as {@code one} says. */
    static String unleet(String s, char one) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(switch (c) {
                case '0' -> 'o';
                case '1' -> one;
                case '3' -> 'e';
                case '4', '@' -> 'a';
                case '5', '$' -> 's';
                case '7', '+' -> 't';
                case '!', '|' -> one;
                default -> c;
            });
        }
        return b.toString();
    }

    /** Case and accents folded: {@code Hôpital} and {@code HOPITAL} are {@code hopital}. */
    static String fold(String s) {
        // Nearly every listed password is ASCII: the Unicode decomposition is skipped for those (startup time).
        if (s.chars().allMatch(c -> c < 0x80)) {
            return s.toLowerCase(Locale.ROOT);
        }
        return MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("").toLowerCase(Locale.ROOT);
    }

    /** FNV-1a over the UTF-8 bytes, then a 64-bit finaliser (splitmix64) to spread the bits. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
