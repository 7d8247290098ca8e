package org.dossier.platform.bulk;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Streams rows into one table with PostgreSQL's COPY, about a hundred times faster than inserts: how the
 * demo hospital reaches a million patients in a couple of minutes. COPY's binary format, because most of what
 * the loaders write is sealed (ADR 0047): bytea ciphertexts and bytea[] blind-index tokens go as their bytes,
 * where the text format doubled them in hex and had the server parse it back.
 * <p>
 * {@link #into} reads the target columns' types from the catalog once and picks one encoder a column, which
 * writes a value as the type's binary receive function expects it. What each column type takes:
 * <ul>
 * <li>bigint, integer, smallint: Long, Integer, Short, Byte (refused if out of the column's range);</li>
 * <li>text, varchar, char(n): String, or an enum as its {@code name()}; json: String; jsonb: String;</li>
 * <li>boolean: Boolean; uuid: UUID; bytea: byte[]; bytea[]: byte[][] (a null element is a NULL);</li>
 * <li>date: LocalDate; time: LocalTime; timestamp: LocalDateTime (its fields as they are);
 * timestamptz: Instant, OffsetDateTime, ZonedDateTime;</li>
 * <li>numeric: BigDecimal, BigInteger, Long, Integer, Short, Byte, or a String that is a decimal number (the clinical loader
 * sends {@code toPlainString()}), rounded to the column's scale by the server as the text input was.</li>
 * </ul>
 * Nanoseconds are rounded to the microsecond as PostgreSQL rounds the seconds' fraction it parses (so as the text
 * format rounded {@code toString()}). Null is NULL in every column. Another Java type, or a column of another type,
 * is refused with an {@link IllegalArgumentException} naming the table, the column and both types (never the value:
 * it may name a patient); a refused row is not written, and the rows before it stay in the copy.
 */
public final class BulkCopy implements AutoCloseable {

    private static final int FLUSH_AT = 4 * 1024 * 1024;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0377, '\r', '\n', 0};

    private final CopyIn copy;
    private final String table;
    private final Column[] columns;
    private byte[] buffer = new byte[FLUSH_AT + 64 * 1024];
    private int length;
    private long rows;

    /** A target column: its name, its type as {@code format_type} spells it, and how its values are written. */
    private record Column(String name, String type, Encoder encoder) {
    }

    /** Writes one non-null value of a column, its length first; throws IllegalArgumentException for a value the column cannot take. */
    @FunctionalInterface
    private interface Encoder {
        void write(BulkCopy out, Object value);
    }

    private BulkCopy(CopyIn copy, String table, Column[] columns) {
        this.copy = copy;
        this.table = table;
        this.columns = columns;
        bytes(SIGNATURE);
        int32(0); // flags
        int32(0); // header extension length
    }

    public static BulkCopy into(Connection connection, String table, Collection<String> columns) throws SQLException {
        if (!table.matches("[a-z_]+") || !columns.stream().allMatch(c -> c.matches("[a-z_0-9]+"))) {
            throw new IllegalArgumentException("not a table or column name");
        }
        // Read before the COPY starts: nothing else can run on the connection while it is open.
        Column[] targets = columns(connection, table, List.copyOf(columns));
        CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("copy " + table + " (" + String.join(", ", columns) + ") from stdin (format binary)");
        return new BulkCopy(in, table, targets);
    }

    /** The columns' types, as the table the name finds in the search path has them, each with its encoder. */
    private static Column[] columns(Connection connection, String table, List<String> names) throws SQLException {
        record Type(int oid, String formatted, int element) {
        }
        Map<String, Type> types = new HashMap<>();
        try (PreparedStatement s = connection.prepareStatement("""
                select a.attname, a.atttypid::int, format_type(a.atttypid, a.atttypmod), t.typelem::int
                  from pg_attribute a join pg_type t on t.oid = a.atttypid
                 where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped""")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), new Type(rs.getInt(2), rs.getString(3), rs.getInt(4)));
                }
            }
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException("BulkCopy: no table " + table + " in the search path");
        }
        List<Column> found = new ArrayList<>();
        for (String name : names) {
            Type type = types.get(name);
            if (type == null) {
                throw new IllegalArgumentException("BulkCopy: table " + table + " has no column " + name);
            }
            Encoder encoder = encoder(type.oid(), type.element());
            if (encoder == null) {
                throw new IllegalArgumentException("BulkCopy: " + table + "." + name + " is " + type.formatted()
                        + ", a type BulkCopy does not write (it writes bigint, integer, smallint, text, varchar, char, json, jsonb, boolean,"
                        + " uuid, bytea, bytea[], date, time, timestamp, timestamptz and numeric)");
            }
            found.add(new Column(name, type.formatted(), encoder));
        }
        return found.toArray(Column[]::new);
    }

    public void row(Object... values) throws SQLException {
        if (values.length != columns.length) {
            throw new IllegalArgumentException("BulkCopy into " + table + ": expected " + columns.length + " values, got " + values.length);
        }
        int start = length;
        int16(columns.length);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                int32(-1);
                continue;
            }
            try {
                columns[i].encoder().write(this, values[i]);
            } catch (RuntimeException e) {
                length = start; // the row's fields so far are taken back: the copy goes on as if it had not been given
                if (!(e instanceof IllegalArgumentException)) {
                    throw e;
                }
                throw new IllegalArgumentException("BulkCopy: " + table + "." + columns[i].name() + " is " + columns[i].type() + ": "
                        + e.getMessage() + "; the row is not written", e);
            }
        }
        rows++;
        if (length >= FLUSH_AT) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    @Override
    public void close() throws SQLException {
        try {
            int16(-1); // the trailer
            flush();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private void flush() throws SQLException {
        if (length == 0) {
            return;
        }
        copy.writeToCopy(buffer, 0, length);
        length = 0;
    }

    // ---- the encoders, by type oid (pg_type.h: these oids are fixed) ----

    private static final int BOOL = 16, BYTEA = 17, INT8 = 20, INT2 = 21, INT4 = 23, TEXT = 25, JSON = 114, BYTEA_ARRAY = 1001,
            BPCHAR = 1042, VARCHAR = 1043, DATE = 1082, TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, NUMERIC = 1700, UUID_OID = 2950,
            JSONB = 3802;

    private static Encoder encoder(int oid, int element) {
        return switch (oid) {
            case INT8 -> (out, v) -> out.int64Field(integer(v, Long.MIN_VALUE, Long.MAX_VALUE));
            case INT4 -> (out, v) -> out.int32Field((int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT2 -> (out, v) -> {
                out.int32(2);
                out.int16((int) integer(v, Short.MIN_VALUE, Short.MAX_VALUE));
            };
            case TEXT, VARCHAR, BPCHAR -> (out, v) -> out.text(v instanceof Enum<?> e ? e.name() : as(v, String.class, "String or an enum"), false);
            case JSON -> (out, v) -> out.text(as(v, String.class, "String"), false);
            case JSONB -> (out, v) -> out.text(as(v, String.class, "String"), true);
            case BOOL -> (out, v) -> {
                out.int32(1);
                out.int8(as(v, Boolean.class, "Boolean") ? 1 : 0);
            };
            case UUID_OID -> (out, v) -> {
                UUID u = as(v, UUID.class, "UUID");
                out.int32(16);
                out.int64(u.getMostSignificantBits());
                out.int64(u.getLeastSignificantBits());
            };
            case BYTEA -> (out, v) -> {
                byte[] b = as(v, byte[].class, "byte[]");
                out.int32(b.length);
                out.bytes(b);
            };
            case BYTEA_ARRAY -> element == BYTEA ? (out, v) -> out.byteaArray(as(v, byte[][].class, "byte[][]")) : null;
            case DATE -> (out, v) -> out.int32Field(days(as(v, LocalDate.class, "LocalDate")));
            case TIME -> (out, v) -> {
                LocalTime t = as(v, LocalTime.class, "LocalTime");
                out.int64Field(t.toSecondOfDay() * 1_000_000L + micros(t.getNano()));
            };
            case TIMESTAMP -> (out, v) -> {
                LocalDateTime t = as(v, LocalDateTime.class, "LocalDateTime");
                out.int64Field(timestamp(t.toEpochSecond(ZoneOffset.UTC), t.getNano()));
            };
            case TIMESTAMPTZ -> (out, v) -> {
                Instant at = instant(v);
                out.int64Field(timestamp(at.getEpochSecond(), at.getNano()));
            };
            case NUMERIC -> (out, v) -> out.numeric(decimal(v));
            default -> null;
        };
    }

    /** {@code v} as a {@code type}, or refused: the column {@code takes} another. */
    private static <T> T as(Object v, Class<T> type, String takes) {
        if (!type.isInstance(v)) {
            throw refused(v, takes);
        }
        return type.cast(v);
    }

    private static Instant instant(Object v) {
        if (v instanceof Instant i) {
            return i;
        } else if (v instanceof OffsetDateTime o) {
            return o.toInstant();
        } else if (v instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        throw refused(v, "Instant, OffsetDateTime or ZonedDateTime");
    }

    private static IllegalArgumentException refused(Object value, String takes) {
        return new IllegalArgumentException("it takes " + takes + ", not a " + value.getClass().getTypeName());
    }

    private static long integer(Object v, long min, long max) {
        long n;
        if (v instanceof Long l) {
            n = l;
        } else if (v instanceof Integer i) {
            n = i;
        } else if (v instanceof Short s) {
            n = s;
        } else if (v instanceof Byte b) {
            n = b;
        } else {
            throw refused(v, "Long, Integer, Short or Byte");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("a " + v.getClass().getTypeName() + " out of the column's range");
        }
        return n;
    }

    private static BigDecimal decimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        } else if (v instanceof BigInteger b) {
            return new BigDecimal(b);
        } else if (v instanceof String s) {
            try {
                return new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a String that is not a decimal number");
            }
        }
        throw refused(v, "BigDecimal, BigInteger, Long, Integer, Short, Byte or a String of a decimal number");
    }

    /** PostgreSQL's dates and timestamps count from 2000-01-01 (POSTGRES_EPOCH_JDATE). */
    private static final long EPOCH_2000_DAYS = 10_957;
    private static final long EPOCH_2000_SECONDS = EPOCH_2000_DAYS * 86_400;
    /** The dates PostgreSQL takes (IS_VALID_DATE: Julian day 0, 4714-11-24 BC, up to 5874898-01-01), in days since 2000-01-01. */
    private static final long DATE_MIN = -2_451_545, DATE_END = 2_147_483_494L - 2_451_545;
    /** The timestamps PostgreSQL takes (IS_VALID_TIMESTAMP: 4714-11-24 BC up to 294277-01-01), in microseconds since 2000. */
    private static final long TIMESTAMP_MIN = -211_813_488_000_000_000L, TIMESTAMP_END = 9_223_371_331_200_000_000L;

    private static int days(LocalDate date) {
        long days = date.toEpochDay() - EPOCH_2000_DAYS;
        if (days < DATE_MIN || days >= DATE_END) {
            throw new IllegalArgumentException("a date out of PostgreSQL's range");
        }
        return (int) days;
    }

    private static long timestamp(long epochSecond, int nanos) {
        long seconds = epochSecond - EPOCH_2000_SECONDS;
        long micros = seconds * 1_000_000L + micros(nanos);
        if (seconds < TIMESTAMP_MIN / 1_000_000L - 1 || seconds > TIMESTAMP_END / 1_000_000L || micros < TIMESTAMP_MIN
                || micros >= TIMESTAMP_END) {
            throw new IllegalArgumentException("a timestamp out of PostgreSQL's range");
        }
        return micros;
    }

    /**
     * The microseconds of a second's {@code nanos}, rounded as PostgreSQL rounds the fraction it parses from text
     * ({@code rint(strtod(".nnnnnnnnn") * 1000000)}, ParseFractionalSecond): the text format wrote {@code toString()}, so
     * the rows come out as they did (an exact half goes as the double's error and rint's parity decide there, so it is
     * computed the same way). 1,000,000 carries into the next second, as it does there.
     */
    private static long micros(int nanos) {
        return nanos % 1000 == 0 ? nanos / 1000 : (long) Math.rint(nanos / 1e9 * 1_000_000);
    }

    // ---- the buffer ----

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    private void int8(int v) {
        ensure(1);
        buffer[length++] = (byte) v;
    }

    private void int16(int v) {
        ensure(2);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        buffer[length++] = (byte) (v >>> 24);
        buffer[length++] = (byte) (v >>> 16);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }

    /** A field of four bytes: its length, then it. */
    private void int32Field(int v) {
        int32(4);
        int32(v);
    }

    /** A field of eight bytes: its length, then it. */
    private void int64Field(long v) {
        int32(8);
        int64(v);
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buffer, length, b.length);
        length += b.length;
    }

    /** A one-dimensional bytea[] as array_recv reads it: dimensions, flags, element type, then each element's length and bytes. */
    private void byteaArray(byte[][] array) {
        int at = length;
        int32(0); // the length, set below
        int32(array.length == 0 ? 0 : 1); // an empty array has no dimension
        int32(Arrays.asList(array).contains(null) ? 1 : 0);
        int32(BYTEA);
        if (array.length > 0) {
            int32(array.length);
            int32(1); // lower bound
        }
        for (byte[] element : array) {
            if (element == null) {
                int32(-1);
            } else {
                int32(element.length);
                bytes(element);
            }
        }
        setLength(at);
    }

    /** Sets the int32 at {@code at} to the length of what follows it. */
    private void setLength(int at) {
        int n = length - at - 4;
        buffer[at] = (byte) (n >>> 24);
        buffer[at + 1] = (byte) (n >>> 16);
        buffer[at + 2] = (byte) (n >>> 8);
        buffer[at + 3] = (byte) n;
    }

    /**
     * A string's UTF-8 bytes (the connection's client encoding), after jsonb's version byte if {@code jsonb}. An unpaired
     * surrogate becomes '?', as {@code String.getBytes(UTF_8)} makes it.
     */
    private void text(String s, boolean jsonb) {
        int n = s.length();
        ensure(4 + 1 + 3 * n);
        int at = length;
        length += 4;
        if (jsonb) {
            buffer[length++] = 1;
        }
        byte[] b = buffer;
        int k = length;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[k++] = (byte) c;
            } else if (c < 0x800) {
                b[k++] = (byte) (0xC0 | c >> 6);
                b[k++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                int cp = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))
                        ? Character.toCodePoint(c, s.charAt(++i)) : -1;
                if (cp < 0) {
                    b[k++] = '?';
                } else {
                    b[k++] = (byte) (0xF0 | cp >> 18);
                    b[k++] = (byte) (0x80 | cp >> 12 & 0x3F);
                    b[k++] = (byte) (0x80 | cp >> 6 & 0x3F);
                    b[k++] = (byte) (0x80 | cp & 0x3F);
                }
            } else {
                b[k++] = (byte) (0xE0 | c >> 12);
                b[k++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[k++] = (byte) (0x80 | c & 0x3F);
            }
        }
        length = k;
        setLength(at);
    }

    /**
     * numeric as numeric_recv reads it: the count of base-10000 digits, the first one's weight (its power of 10000), the
     * sign, the display scale, then the digits, most significant first. The column's typmod rounds it on the server, as it
     * rounds the text input.
     */
    private void numeric(BigDecimal value) {
        BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
        int scale = v.scale();
        if (scale > 0x3FFF) {
            throw new IllegalArgumentException("a number of more than 16383 decimals");
        }
        int fractionGroups = (scale + 3) / 4;
        String digits = v.unscaledValue().abs().multiply(BigInteger.TEN.pow(fractionGroups * 4 - scale)).toString();
        int groups = (digits.length() + 3) / 4;
        short[] base10000 = new short[groups];
        int end = digits.length();
        for (int g = groups - 1; g >= 0; g--) {
            int begin = Math.max(0, end - 4);
            base10000[g] = Short.parseShort(digits.substring(begin, end));
            end = begin;
        }
        int first = 0;
        int last = groups;
        while (first < last && base10000[first] == 0) {
            first++;
        }
        while (last > first && base10000[last - 1] == 0) {
            last--;
        }
        int weight = first == last ? 0 : groups - 1 - fractionGroups - first;
        if (weight > Short.MAX_VALUE || weight < Short.MIN_VALUE) {
            throw new IllegalArgumentException("a number out of numeric's range");
        }
        int count = last - first;
        int32(8 + 2 * count);
        int16(count);
        int16(weight);
        int16(v.signum() < 0 ? 0x4000 : 0);
        int16(scale);
        for (int g = first; g < last; g++) {
            int16(base10000[g]);
        }
    }
}
