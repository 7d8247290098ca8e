package org.dossier.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The canonical form has two builders — from the writer's strings, and from the values as PostgreSQL sends them in
 * binary (the verifier's path) — and they must give the same bytes, or every entry would read as altered.
 */
class AuditChainTest {

    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    @Test
    void theBinaryPathHashesExactlyWhatTheWritersStringsHash() {
        SplittableRandom random = new SplittableRandom(21);
        Instant[] times = {Instant.parse("2026-12-07T00:45:00Z"), Instant.parse("2026-12-07T00:45:59.5Z"),
                Instant.parse("2026-12-07T00:45:01.120Z"), Instant.parse("2026-12-07T00:45:01.000001Z"),
                Instant.parse("1999-12-31T23:59:59.999999Z"), Instant.parse("1969-07-20T20:17:40.050Z"),
                Instant.parse("+12026-02-28T12:00:00.123456Z"), POSTGRES_EPOCH};
        String previous = AuditChain.GENESIS;
        for (int i = 0; i < 5_000; i++) {
            Instant at = i < times.length ? times[i]
                    : POSTGRES_EPOCH.plus(Duration.ofSeconds(random.nextLong(-40L * 365 * 86_400, 40L * 365 * 86_400)))
                    .plusNanos(random.nextInt(1_000_000_000)).truncatedTo(random.nextBoolean() ? ChronoUnit.MILLIS : ChronoUnit.MICROS);
            long seq = i == 0 ? 1 : random.nextLong(Long.MAX_VALUE);
            Long actor = random.nextInt(4) == 0 ? null : random.nextBoolean() ? random.nextLong() : (long) random.nextInt(1000);
            Integer facility = random.nextInt(4) == 0 ? null : random.nextInt();
            String text = random.nextInt(4) == 0 ? null : random.nextBoolean() ? "" : "Zoë ∅ 患者 " + random.nextInt();

            String[] fields = {str(actor), text, "PHYSICIAN,NURSE", str(facility), null, "127.0.0.1", text, "READ", str(actor), "Patient",
                    text, "IDENTITY", "ALLOW", text, null, "req-" + i, text};
            String expected = new AuditChain.Canonical().of(seq, at, fields).hash(previous);

            AuditChain.Canonical binary = new AuditChain.Canonical().start();
            binary.addNumber(seq);
            binary.addMicros((at.getEpochSecond() - POSTGRES_EPOCH.getEpochSecond()) * 1_000_000 + at.getNano() / 1_000);
            for (int f = 0; f < fields.length; f++) {
                if (fields[f] == null) {
                    binary.addAbsent();
                } else if (f == 0 || f == 8) { // actor_id and patient_id: bigint
                    binary.addNumber(actor);
                } else if (f == 3) { // facility_id: int
                    binary.addNumber(facility);
                } else {
                    byte[] utf8 = fields[f].getBytes(StandardCharsets.UTF_8);
                    binary.addUtf8(utf8, 0, utf8.length);
                }
            }
            byte[] hex = new byte[AuditChain.HEX_LENGTH];
            binary.hash(previous.getBytes(StandardCharsets.US_ASCII), hex);
            assertThat(new String(hex, StandardCharsets.US_ASCII)).as("entry %d at %s", seq, at).isEqualTo(expected);
            previous = expected;
        }
    }

    private static String str(Object value) {
        return value == null ? null : value.toString();
    }
}
