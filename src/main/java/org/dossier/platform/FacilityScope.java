package org.dossier.platform;

import java.util.Collection;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The facilities whose patient rows the current thread may see in PostgreSQL: the second wall behind the
 * services' own facility checks. Row-level security policies compare each row's facility with this scope,
 * which every connection handed to the thread carries. No scope means no patient row at all; the server's own
 * jobs (demo loading, claim polling) run {@link #asSystem}. See docs/decisions/0012-row-level-security.md.
 */
public final class FacilityScope {

    /** The value that lets the server's own jobs see every facility. */
    static final String SYSTEM = "*";
    static final String NONE = "";

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private FacilityScope() {
    }

    /** Confines this thread to the facilities of the authenticated actor (set when the request's actor is resolved). */
    public static void set(Collection<Integer> facilityIds) {
        CURRENT.set(facilityIds.stream().sorted().map(String::valueOf).collect(Collectors.joining(",")));
    }

    public static void clear() {
        CURRENT.remove();
    }

    /** The scope the next connection must carry: a comma-separated list of facility ids, "*" for the server, "" for none. */
    public static String current() {
        String s = CURRENT.get();
        return s == null ? NONE : s;
    }

    /** Runs work of the server itself (not of a user) over every facility, then restores the previous scope. */
    public static <T> T asSystem(Supplier<T> work) {
        String previous = CURRENT.get();
        CURRENT.set(SYSTEM);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    public static void asSystem(Runnable work) {
        asSystem(() -> {
            work.run();
            return null;
        });
    }
}
