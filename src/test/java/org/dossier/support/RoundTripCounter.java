package org.dossier.support;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the round trips the current thread makes to PostgreSQL: pgJDBC ends every exchange of the extended protocol
 * with one Sync message and then waits for the server's ReadyForQuery, and it logs each Sync it sends (at FINEST, on
 * its query executor's logger). Counting those log records counts the waits, whatever number of statements an
 * exchange carried — which {@link StatementCounter} cannot tell.
 */
public final class RoundTripCounter {

    private static final Logger PGJDBC = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

    private RoundTripCounter() {
    }

    /** Runs {@code work} and returns what it returned with the number of Syncs this thread sent meanwhile. */
    public static <T> Counted<T> count(Supplier<T> work) {
        long thread = Thread.currentThread().getId();
        AtomicInteger syncs = new AtomicInteger();
        java.util.List<String> trace = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                // Called inside pgJDBC's protocol exchange: anything thrown here would break the connection.
                try {
                    record(r);
                } catch (RuntimeException e) {
                    trace.add("(not understood: " + e + ")");
                }
            }

            private void record(LogRecord r) {
                String message = r.getMessage();
                if (r.getLongThreadID() != thread || message == null) {
                    return;
                }
                if (message.equals(" FE=> Sync")) {
                    syncs.incrementAndGet();
                    trace.add("Sync");
                } else if (message.startsWith(" FE=> Parse")) {
                    trace.add(message.substring(6, Math.min(message.length(), 100)).replaceAll("\\s+", " "));
                } else if (message.startsWith(" FE=> ")) {
                    trace.add(message.substring(6).split("\\(")[0]);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = PGJDBC.getLevel();
        boolean parents = PGJDBC.getUseParentHandlers();
        handler.setLevel(Level.ALL);
        PGJDBC.addHandler(handler);
        PGJDBC.setUseParentHandlers(false);
        PGJDBC.setLevel(Level.FINEST);
        try {
            T result = work.get();
            return new Counted<>(result, syncs.get(), List.copyOf(trace));
        } finally {
            PGJDBC.setLevel(level);
            PGJDBC.setUseParentHandlers(parents);
            PGJDBC.removeHandler(handler);
        }
    }

    /** What ran, the number of round trips, and the messages sent (Parse with its SQL, Bind, Execute, Sync) in order. */
    public record Counted<T>(T result, int roundTrips, List<String> messages) {

        /**
         * The round trips from the transaction's BEGIN on (pgJDBC sends it as a simple query ahead of the first
         * statement): without the facility scope the connection may be given first, outside the transaction (ADR 0032),
         * when a job of the server has used that connection in between.
         */
        public int inTransaction() {
            int begin = messages.indexOf("SimpleQuery");
            return begin < 0 ? roundTrips : (int) messages.subList(begin, messages.size()).stream().filter("Sync"::equals).count();
        }
    }
}
