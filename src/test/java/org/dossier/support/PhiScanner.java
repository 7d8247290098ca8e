package org.dossier.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Looks for many values at once in the bytes of a dump or of a backup's files (Aho-Corasick over bytes: one pass whatever
 * the number of values), for the proofs of encryption at rest (DumpScanTest, BaseBackupScanTest). Values are matched as
 * their UTF-8 bytes, ASCII letters in any case; a value with other letters is also looked for in lower and upper case
 * ("Lefèvre", "LEFÈVRE"). A value marked {@code word} counts only with no ASCII letter or digit either side (an IPP's
 * digits also occur inside longer numbers and hex).
 */
public final class PhiScanner {

    /** A value found: its kind ("family name", "drug"...) and the value as it was given. */
    public record Found(String kind, String value) {
    }

    private record Pattern(String kind, String value, boolean word, int length) {
    }

    /** The trie, frozen: children of node n as sorted byte keys and targets; fail links; patterns ending at each node. */
    private byte[][] keys;
    private int[][] targets;
    private int[] fail;
    private int[][] output;
    private final List<Pattern> patterns = new ArrayList<>();
    private final List<Map<Byte, Integer>> building = new ArrayList<>(List.of(new HashMap<>()));
    private final List<List<Integer>> ends = new ArrayList<>(List.of(new ArrayList<>()));

    /** Adds every value of {@code values} under {@code kind}; returns this scanner, to be {@linkplain #build() built}. */
    public PhiScanner add(String kind, Iterable<String> values, boolean word) {
        for (String v : values) {
            Set<String> forms = new LinkedHashSet<>(List.of(v, v.toLowerCase(Locale.ROOT), v.toUpperCase(Locale.ROOT)));
            for (String form : forms) {
                insert(new Pattern(kind, v, word, form.getBytes(StandardCharsets.UTF_8).length), form);
            }
        }
        return this;
    }

    private void insert(Pattern pattern, String form) {
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        int node = 0;
        for (byte b : bytes) {
            byte f = fold(b);
            Integer next = building.get(node).get(f);
            if (next == null) {
                next = building.size();
                building.get(node).put(f, next);
                building.add(new HashMap<>());
                ends.add(new ArrayList<>());
            }
            node = next;
        }
        patterns.add(pattern);
        ends.get(node).add(patterns.size() - 1);
    }

    /** Freezes the trie and computes the failure links (breadth first). */
    public PhiScanner build() {
        int n = building.size();
        keys = new byte[n][];
        targets = new int[n][];
        fail = new int[n];
        output = new int[n][];
        for (int i = 0; i < n; i++) {
            TreeMap<Byte, Integer> sorted = new TreeMap<>(building.get(i));
            keys[i] = new byte[sorted.size()];
            targets[i] = new int[sorted.size()];
            int k = 0;
            for (var e : sorted.entrySet()) {
                keys[i][k] = e.getKey();
                targets[i][k++] = e.getValue();
            }
        }
        int[] queue = new int[n];
        int head = 0;
        int tail = 0;
        output[0] = new int[0];
        for (int child : targets[0]) {
            fail[child] = 0;
            queue[tail++] = child;
        }
        while (head < tail) {
            int node = queue[head++];
            output[node] = concat(ends.get(node), output[fail[node]]);
            for (int k = 0; k < keys[node].length; k++) {
                int child = targets[node][k];
                int f = fail[node];
                while (f != 0 && step(f, keys[node][k]) < 0) {
                    f = fail[f];
                }
                int to = step(f, keys[node][k]);
                fail[child] = to >= 0 && to != child ? to : 0;
                queue[tail++] = child;
            }
        }
        building.clear();
        ends.clear();
        return this;
    }

    private static int[] concat(List<Integer> own, int[] inherited) {
        int[] all = Arrays.copyOf(inherited, inherited.length + own.size());
        for (int i = 0; i < own.size(); i++) {
            all[inherited.length + i] = own.get(i);
        }
        return all;
    }

    private int step(int node, byte b) {
        int k = Arrays.binarySearch(keys[node], b);
        return k >= 0 ? targets[node][k] : -1;
    }

    private static byte fold(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static boolean alnum(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    /** The values found in {@code data}, each once, with the offset of its first occurrence. */
    public Map<Found, Integer> scan(byte[] data) {
        return scan(data, 0, data.length);
    }

    /** The same in {@code data[from, to)}. */
    public Map<Found, Integer> scan(byte[] data, int from, int to) {
        Map<Found, Integer> found = new LinkedHashMap<>();
        int node = 0;
        for (int i = from; i < to; i++) {
            byte b = fold(data[i]);
            int next = step(node, b);
            while (next < 0 && node != 0) {
                node = fail[node];
                next = step(node, b);
            }
            node = next < 0 ? 0 : next;
            for (int p : output[node]) {
                Pattern pattern = patterns.get(p);
                int start = i - pattern.length() + 1;
                if (pattern.word() && ((start > from && alnum(data[start - 1])) || (i + 1 < to && alnum(data[i + 1])))) {
                    continue;
                }
                if (!pattern.word() && insideEncodedRandom(data, start, i, from, to)) {
                    continue;
                }
                found.putIfAbsent(new Found(pattern.kind(), pattern.value()), start);
            }
        }
        return found;
    }

    /** A run of base64 this long, mixing digits and both cases, is an encoded key or ciphertext, not words. */
    private static final int ENCODED_RUN = 24;

    /**
     * Whether a match lies inside a run of base64 characters at least {@value #ENCODED_RUN} long that mixes digits, upper
     * and lower case: the text form of random bytes (a sealed secret, a token), where a six-letter name turns up by
     * chance once in some hundreds of millions of positions, case folded ("…W73PieRrEE/…" holds "Pierre"). A name in
     * clear sits between separators, or in a run of letters, or of one case: still found.
     */
    private static boolean insideEncodedRandom(byte[] data, int start, int end, int from, int to) {
        int left = start;
        while (left > from && base64(data[left - 1])) {
            left--;
        }
        int right = end;
        while (right + 1 < to && base64(data[right + 1])) {
            right++;
        }
        if (right - left + 1 < ENCODED_RUN) {
            return false;
        }
        boolean digit = false;
        boolean upper = false;
        boolean lower = false;
        for (int k = left; k <= right; k++) {
            digit |= data[k] >= '0' && data[k] <= '9';
            upper |= data[k] >= 'A' && data[k] <= 'Z';
            lower |= data[k] >= 'a' && data[k] <= 'z';
        }
        return digit && upper && lower;
    }

    private static boolean base64(byte b) {
        return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b == '+' || b == '/' || b == '-' || b == '_';
    }

    /** Up to 60 bytes either side of {@code at}, printable, to show where a value was found. */
    public static String around(byte[] data, int at, int length) {
        int from = Math.max(0, at - 60);
        int to = Math.min(data.length, at + length + 60);
        return new String(data, from, to - from, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}\\uFFFD]", "·");
    }
}
