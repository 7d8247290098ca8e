package org.dossier.platform;

import java.sql.Timestamp;
import java.time.Instant;

/** Instants to and from SQL timestamps, null kept as null: the two conversions every repository needs. */
public final class SqlTimes {

    private SqlTimes() {
    }

    public static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    public static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
