package org.dossier.platform.bulk;

import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * BulkCopy's binary COPY, on the test server's PostgreSQL: every column type the loaders write, with edge values, reads back
 * as the text format's COPY (each value's {@code toString()}, bytea as hex) made it, checked in SQL against the text form
 * cast to the column's type; a value of the wrong Java type, or a column of a type it does not write, is refused by name.
 */
class BulkCopyTest extends IntegrationTest {

    private static final String TABLE = "bulk_copy_probe";
    private static final List<String> COLUMNS = List.of("k", "i8", "i4", "i2", "t", "v", "c", "j", "jb", "b", "d", "tm", "ts", "tz", "n",
            "nu", "by", "ba", "u");
    /** Each column's type, in the order of COLUMNS. */
    private static final List<String> TYPES = List.of("integer", "bigint", "integer", "smallint", "text", "varchar(40)", "char(3)", "json",
            "jsonb", "boolean", "date", "time", "timestamp", "timestamptz", "numeric(12, 3)", "numeric", "bytea", "bytea[]", "uuid");
    private static final HexFormat HEX = HexFormat.of();

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    /** Runs {@code work} on a connection with the probe table, in a transaction rolled back after. */
    private interface Work {
        void run(Connection c) throws Exception;
    }

    private void withProbe(Work work) throws Exception {
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            try {
                StringBuilder ddl = new StringBuilder("create temp table " + TABLE + " (");
                for (int i = 0; i < COLUMNS.size(); i++) {
                    ddl.append(i == 0 ? "" : ", ").append(COLUMNS.get(i)).append(' ').append(TYPES.get(i));
                }
                try (Statement s = c.createStatement()) {
                    s.execute(ddl + ", iv interval, pt point) on commit drop");
                }
                work.run(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** What the text format's COPY wrote for a value (before escaping): how the value is cast back in SQL to compare. */
    private static String textForm(Object value) {
        if (value == null) {
            return null;
        } else if (value instanceof byte[] b) {
            return "\\x" + HEX.formatHex(b);
        } else if (value instanceof byte[][] array) {
            StringBuilder s = new StringBuilder("{");
            for (int k = 0; k < array.length; k++) {
                s.append(k == 0 ? "" : ",").append("\"\\\\x").append(HEX.formatHex(array[k])).append('"');
            }
            return s.append('}').toString();
        }
        return value.toString();
    }

    /** Checks that each value of row {@code k} equals its text form cast to the column's type (both null, or equal). */
    private static void assertAsTextWrote(Connection c, Object[] row) throws SQLException {
        for (int i = 1; i < COLUMNS.size(); i++) {
            String column = COLUMNS.get(i);
            // json has no equality: compared as text (what json keeps is the text as sent)
            String left = TYPES.get(i).equals("json") ? column + "::text" : column;
            String right = TYPES.get(i).equals("json") ? "cast(? as json)::text" : "cast(? as " + TYPES.get(i) + ")";
            try (PreparedStatement s = c.prepareStatement("select " + left + " is not distinct from " + right + ", " + column
                    + "::text, cast(? as " + TYPES.get(i) + ")::text from " + TABLE + " where k = ?")) {
                s.setString(1, textForm(row[i]));
                s.setString(2, textForm(row[i]));
                s.setInt(3, (Integer) row[0]);
                try (ResultSet rs = s.executeQuery()) {
                    assertThat(rs.next()).as("row %s", row[0]).isTrue();
                    assertThat(rs.getBoolean(1)).as("row %s, column %s: copied %s, the text format gave %s", row[0], column, rs.getString(2),
                            rs.getString(3)).isTrue();
                }
            }
        }
    }

    private static Object[] row(int k, Object... values) {
        Object[] row = new Object[COLUMNS.size()];
        row[0] = k;
        System.arraycopy(values, 0, row, 1, values.length);
        return row;
    }

    private static final String UNICODE = "tab\there, new\nline, return\r, back\\slash, \\N, \\x41, é 漢字 😀 \"quoted\" {braces}";

    @Test
    void everyTypeOfTheLoadersReadsBackAsTheTextFormatWroteIt() throws Exception {
        List<Object[]> rows = List.of(
                row(1), // null in every column
                row(2, Long.MIN_VALUE, Integer.MIN_VALUE, Short.MIN_VALUE, "", "", "", "{}", "{}", false, LocalDate.of(1, 1, 1),
                        LocalTime.MIDNIGHT, LocalDateTime.of(1899, 12, 31, 23, 59, 59, 999_999_000), Instant.parse("1969-12-31T23:59:59.000001Z"),
                        new BigDecimal("-999999999.999"), new BigDecimal("-0.00000001"), new byte[0], new byte[0][], new UUID(0, 0)),
                row(3, Long.MAX_VALUE, Integer.MAX_VALUE, Short.MAX_VALUE, UNICODE, "é\t\n\\ 😀", "é\tx", "{\"a\": \"é\\n\\\\\", \"b\" : [1,2]}",
                        "{\"b\": [1, 2.5, \"😀\", null], \"a\": {}}", true, LocalDate.of(9999, 12, 31), LocalTime.of(23, 59, 59, 999_999_000),
                        LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000), Instant.parse("9999-12-31T23:59:59.999999Z"),
                        new BigDecimal("999999999.999"), new BigDecimal("12345678901234567890.123456789012345678901234567890"),
                        new byte[]{0, 1, (byte) 0xff, '\\', '\t', '\n', 'x'}, new byte[][]{{}, {0}, {'\\', '"', ',', '{', '}'}, new byte[300]},
                        UUID.fromString("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")),
                row(4, 0L, 0, (short) 0, "plain", "a", "abc", "[]", "[]", true, LocalDate.of(2000, 1, 1), LocalTime.NOON,
                        LocalDateTime.of(2000, 1, 1, 0, 0), Instant.parse("2000-01-01T00:00:00Z"), BigDecimal.ZERO, new BigDecimal("1E+5"),
                        new byte[]{42}, new byte[][]{{1, 2, 3}}, UUID.randomUUID()),
                // Integer and Short where bigint is, Long where integer and smallint are, as the loaders mix them; an enum into
                // text; a String into numeric as the clinical loader sends it (rounded by the column's scale, as text was)
                row(5, 7, 8L, 9L, Thread.State.RUNNABLE, Thread.State.BLOCKED, "x", "null", "\"s\"", false, LocalDate.of(1850, 2, 28),
                        LocalTime.of(1, 2, 3, 4_000), LocalDateTime.of(1999, 12, 31, 23, 59, 59), OffsetDateTime.parse("2024-02-29T12:00:00.5+05:30"),
                        "123456789.1235", "-0.0001", new byte[]{'\\', 'N'}, new byte[][]{{'\\', 'N'}, {}}, UUID.randomUUID()),
                row(6, (short) -1, (short) -1, (byte) -1, "a\u00a0b\u2028c", "", " ", "\"\\u0000\"", "\"\\u00e9\"", true, LocalDate.of(2024, 2, 29),
                        LocalTime.of(0, 0, 0, 1_000), LocalDateTime.of(1, 1, 1, 0, 0), Instant.parse("0001-01-01T00:00:00Z"), new BigDecimal("13.6"), new BigDecimal("0.000100"), new byte[65_536], new byte[][]{new byte[65_536]},
                        UUID.randomUUID()));
        withProbe(c -> {
            try (BulkCopy copy = BulkCopy.into(c, TABLE, COLUMNS)) {
                for (Object[] row : rows) {
                    copy.row(row);
                }
                assertThat(copy.rows()).isEqualTo(rows.size());
            }
            for (Object[] row : rows) {
                assertAsTextWrote(c, row);
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select num_nulls(" + String.join(", ", COLUMNS.subList(1, COLUMNS.size())) + "), "
                         + "(select count(*) from " + TABLE + ") from " + TABLE + " where k = 1")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(COLUMNS.size() - 1);
                assertThat(rs.getInt(2)).isEqualTo(rows.size());
            }
            // and as JDBC reads them, the values themselves
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select i8, t, c, by, ba, tz, n, jb, u, tm from " + TABLE + " where k = 3")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(Long.MAX_VALUE);
                assertThat(rs.getString(2)).isEqualTo(UNICODE);
                assertThat(rs.getString(3)).isEqualTo("é\tx");
                assertThat(rs.getBytes(4)).isEqualTo((byte[]) rows.get(3 - 1)[16]);
                Object[] tokens = (Object[]) rs.getArray(5).getArray();
                assertThat(tokens).hasSize(4);
                assertThat((byte[]) tokens[0]).isEmpty();
                assertThat((byte[]) tokens[2]).isEqualTo(new byte[]{'\\', '"', ',', '{', '}'});
                assertThat(rs.getObject(6, OffsetDateTime.class).toInstant()).isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
                assertThat(rs.getBigDecimal(7)).isEqualByComparingTo("999999999.999");
                assertThat(rs.getString(8)).isEqualTo("{\"a\": {}, \"b\": [1, 2.5, \"😀\", null]}");
                assertThat(rs.getObject(9)).isEqualTo(rows.get(3 - 1)[18]);
                assertThat(rs.getString(10)).isEqualTo("23:59:59.999999");
            }
        });
    }

    /**
     * Nanoseconds: the text format wrote {@code toString()}, whose fraction PostgreSQL rounds to the microsecond (rint, half to
     * even on the double it parsed); the binary encoders round the same way, a carry included, before 1970 and 2000 too.
     */
    @Test
    void nanosecondsAreRoundedToTheMicrosecondAsTheTextFormatRoundedThem() throws Exception {
        List<Instant> instants = new ArrayList<>(List.of(Instant.parse("2024-02-29T12:34:56.123456789Z"),
                Instant.parse("2024-02-29T12:34:56.123456500Z"), Instant.parse("2024-02-29T12:34:56.123457500Z"),
                Instant.parse("2024-02-29T12:34:56.000000500Z"), Instant.parse("2024-02-29T12:34:56.000000499Z"),
                Instant.parse("2024-12-31T23:59:59.999999900Z"), Instant.parse("1999-12-31T23:59:59.999999999Z"),
                Instant.parse("2024-12-31T23:59:59.999999500Z"),
                Instant.parse("1950-06-15T08:00:00.000001500Z"), Instant.parse("1969-12-31T23:59:59.999999501Z")));
        SplittableRandom random = new SplittableRandom(20261207);
        for (int i = 0; i < 300; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(-3_000_000_000L, 5_000_000_000L), random.nextInt(1_000_000_000)));
        }
        for (int i = 0; i < 300; i++) { // the halves, where rint's parity and the double's error decide
            instants.add(Instant.ofEpochSecond(random.nextLong(-3_000_000_000L, 5_000_000_000L), random.nextInt(1_000_000) * 1000 + 500));
        }
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < instants.size(); i++) {
            Instant at = instants.get(i);
            LocalDateTime local = LocalDateTime.ofInstant(at, ZoneOffset.UTC);
            rows.add(row(i, null, null, null, null, null, null, null, null, null, null, local.toLocalTime(), local, at, null, null, null, null,
                    null));
        }
        withProbe(c -> {
            try (BulkCopy copy = BulkCopy.into(c, TABLE, COLUMNS)) {
                for (Object[] row : rows) {
                    copy.row(row);
                }
            }
            for (Object[] row : rows) {
                assertAsTextWrote(c, row);
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select (tz at time zone 'UTC')::text, tm::text from " + TABLE + " where k in (0, 5) order by k")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("2024-02-29 12:34:56.123457");
                rs.next();
                // 23:59:59.9999999 carries into the next day, and time's into 24:00:00, as their text input carries it
                assertThat(rs.getString(1)).isEqualTo("2025-01-01 00:00:00");
                assertThat(rs.getString(2)).isEqualTo("24:00:00");
            }
        });
    }

    @Test
    void numbersOfEveryScaleAndSignReadBackExactly() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<BigDecimal> numbers = new ArrayList<>(List.of(new BigDecimal("0.0000"), new BigDecimal("-1"), new BigDecimal("10000"),
                new BigDecimal("9999.9999"), new BigDecimal("0.00010001"), new BigDecimal("-123.45E+12"), new BigDecimal("1E-40"),
                new BigDecimal("100000000")));
        for (int i = 0; i < 500; i++) {
            numbers.add(new BigDecimal(new java.math.BigInteger(random.nextInt(1, 120), new java.util.Random(random.nextLong())),
                    random.nextInt(-10, 40)).multiply(random.nextBoolean() ? BigDecimal.ONE : BigDecimal.ONE.negate()));
        }
        withProbe(c -> {
            try (BulkCopy copy = BulkCopy.into(c, TABLE, List.of("k", "nu"))) {
                for (int i = 0; i < numbers.size(); i++) {
                    copy.row(i, numbers.get(i));
                }
            }
            try (PreparedStatement s = c.prepareStatement("select nu, nu::text, cast(? as numeric)::text from " + TABLE + " where k = ?")) {
                for (int i = 0; i < numbers.size(); i++) {
                    BigDecimal n = numbers.get(i);
                    s.setString(1, n.toString());
                    s.setInt(2, i);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        assertThat(rs.getBigDecimal(1)).as("%s", n).isEqualByComparingTo(n);
                        // the scale shown is the value's own, as PostgreSQL keeps it from text (a negative scale shows none)
                        assertThat(rs.getString(2)).as("%s", n).isEqualTo(rs.getString(3));
                    }
                }
            }
        });
    }

    /** Several flushes of the 4 MB buffer: every row whole, in order. */
    @Test
    void rowsLargerThanTheBufferInAllAreWrittenWhole() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            byte[] b = new byte[random.nextInt(0, 10_000)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) random.nextInt(256);
            }
            values.add(b);
        }
        byte[] large = new byte[9 * 1024 * 1024]; // one value larger than the buffer
        Arrays.fill(large, (byte) 7);
        values.add(large);
        withProbe(c -> {
            try (BulkCopy copy = BulkCopy.into(c, TABLE, List.of("k", "by", "ba", "t"))) {
                for (int i = 0; i < values.size(); i++) {
                    copy.row(i, values.get(i), new byte[][]{values.get(i), values.get(values.size() - 1 - i)}, "row " + i);
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select k, by, ba[2], t from " + TABLE + " order by k")) {
                int i = 0;
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(i);
                    assertThat(Arrays.equals(rs.getBytes(2), values.get(i))).as("row %s", i).isTrue();
                    assertThat(Arrays.equals(rs.getBytes(3), values.get(values.size() - 1 - i))).as("row %s", i).isTrue();
                    assertThat(rs.getString(4)).isEqualTo("row " + i);
                    i++;
                }
                assertThat(i).isEqualTo(values.size());
            }
        });
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedByNameAndItsRowIsNotWritten() throws Exception {
        withProbe(c -> {
            try (BulkCopy copy = BulkCopy.into(c, TABLE, List.of("k", "i8", "i2", "t", "tz", "d", "by", "ba", "nu", "b"))) {
                copy.row(1, 1L, 1, "first", Instant.EPOCH, LocalDate.EPOCH, new byte[]{1}, new byte[][]{}, BigDecimal.ONE, true);
                assertThatThrownBy(() -> copy.row(2, 2L, 2, 42L, Instant.EPOCH, null, null, null, null, null))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("bulk_copy_probe.t is text").hasMessageContaining("java.lang.Long")
                        .hasMessageContaining("the row is not written");
                assertThatThrownBy(() -> copy.row(2, "2", 2, "x", null, null, null, null, null, null))
                        .hasMessageContaining("bulk_copy_probe.i8 is bigint").hasMessageContaining("java.lang.String");
                assertThatThrownBy(() -> copy.row(2, 2L, 70_000, "x", null, null, null, null, null, null))
                        .hasMessageContaining("bulk_copy_probe.i2 is smallint").hasMessageContaining("out of the column's range");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", LocalDateTime.of(2024, 1, 1, 0, 0), null, null, null, null, null))
                        .hasMessageContaining("bulk_copy_probe.tz is timestamp with time zone").hasMessageContaining("java.time.LocalDateTime");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, Instant.EPOCH, null, null, null, null))
                        .hasMessageContaining("bulk_copy_probe.d is date").hasMessageContaining("java.time.Instant");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, LocalDate.of(-5000, 1, 1), null, null, null, null))
                        .hasMessageContaining("bulk_copy_probe.d is date").hasMessageContaining("out of PostgreSQL's range");
                for (Instant outOfRange : List.of(Instant.MAX, Instant.MIN, Instant.parse("+294277-01-01T00:00:00Z"),
                        Instant.parse("-4713-11-23T23:59:59.999999Z"))) {
                    assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", outOfRange, null, null, null, null, null))
                            .hasMessageContaining("bulk_copy_probe.tz is timestamp with time zone")
                            .hasMessageContaining("out of PostgreSQL's range");
                }
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, LocalDate.MAX, null, null, null, null))
                        .hasMessageContaining("out of PostgreSQL's range");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, null, "bytes", null, null, null))
                        .hasMessageContaining("bulk_copy_probe.by is bytea").hasMessageContaining("byte[]");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, null, null, new byte[]{1}, null, null))
                        .hasMessageContaining("bulk_copy_probe.ba is bytea[]").hasMessageContaining("takes byte[][], not a byte[]");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, null, null, null, "thirteen", null))
                        .hasMessageContaining("bulk_copy_probe.nu is numeric").hasMessageContaining("not a decimal number")
                        .hasMessageNotContaining("thirteen");
                assertThatThrownBy(() -> copy.row(2, 2L, 2, "x", null, null, null, null, null, "true"))
                        .hasMessageContaining("bulk_copy_probe.b is boolean").hasMessageContaining("java.lang.String");
                assertThatThrownBy(() -> copy.row(2, 2L))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 10 values, got 2");
                copy.row(3, 3L, (short) 3, "third", null, null, null, null, null, null);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select string_agg(k || ':' || t, ',' order by k) from " + TABLE)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1:first,3:third");
            }
        });
    }

    @Test
    void aColumnOfATypeItDoesNotWriteOrThatIsNotThereIsRefusedBeforeTheCopy() throws Exception {
        withProbe(c -> {
            assertThatThrownBy(() -> BulkCopy.into(c, TABLE, List.of("k", "iv")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bulk_copy_probe.iv is interval");
            assertThatThrownBy(() -> BulkCopy.into(c, TABLE, List.of("k", "pt")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bulk_copy_probe.pt is point");
            assertThatThrownBy(() -> BulkCopy.into(c, TABLE, List.of("k", "nothing")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table bulk_copy_probe has no column nothing");
            assertThatThrownBy(() -> BulkCopy.into(c, "no_such_table", List.of("k")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no table no_such_table");
            // the connection is still usable: nothing was started
            try (BulkCopy copy = BulkCopy.into(c, TABLE, List.of("k"))) {
                copy.row(1);
            }
        });
    }

    /** The years the text format could not write (toString's "+20000", "-0100") go in binary, as PostgreSQL counts them, to its limits. */
    @Test
    void datesBeyondFourDigitYearsAndBeforeOurEra() throws Exception {
        withProbe(c -> {
            try (BulkCopy copy = BulkCopy.into(c, TABLE, List.of("k", "d", "tz"))) {
                copy.row(1, LocalDate.of(20_000, 1, 1), Instant.parse("+20000-01-01T00:00:00Z"));
                copy.row(2, LocalDate.of(-100, 3, 1), Instant.parse("-0100-03-01T00:00:00Z"));
                // the first and the last instants PostgreSQL takes
                copy.row(3, LocalDate.of(-4713, 11, 24), Instant.parse("-4713-11-24T00:00:00Z"));
                copy.row(4, LocalDate.of(5_874_897, 12, 31), Instant.parse("+294276-12-31T23:59:59.999999Z"));
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    select d = '4714-11-24 BC'::date and tz = '4714-11-24 00:00:00+00 BC'::timestamptz from %1$s where k = 3
                    union all select d = '5874897-12-31'::date and tz = '294276-12-31 23:59:59.999999+00'::timestamptz from %1$s where k = 4"""
                    .formatted(TABLE))) {
                while (rs.next()) {
                    assertThat(rs.getBoolean(1)).isTrue();
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    select d = make_date(20000, 1, 1), tz = make_timestamptz(20000, 1, 1, 0, 0, 0, 'UTC') from %1$s where k = 1
                    union all select d = make_date(-101, 3, 1), tz = make_timestamptz(-101, 3, 1, 0, 0, 0, 'UTC') from %1$s where k = 2"""
                    .formatted(TABLE))) {
                while (rs.next()) {
                    assertThat(rs.getBoolean(1)).isTrue();
                    assertThat(rs.getBoolean(2)).isTrue();
                }
            }
        });
    }
}
