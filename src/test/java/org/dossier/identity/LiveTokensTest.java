package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What a node remembers of bearer tokens, and when it forgets (ADR 0037); no Spring, no database. */
class LiveTokensTest {

    private Instant now = Instant.parse("2026-12-07T08:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final AtomicInteger reads = new AtomicInteger();
    private final LiveTokens tokens = new LiveTokens(clock, Duration.ofSeconds(30), 3);

    private Optional<ApiTokens.Live> live(long staffId, Instant expiresAt) {
        reads.incrementAndGet();
        StaffMember account = new StaffMember(staffId, "user" + staffId, "User " + staffId, null, StaffStatus.ACTIVE, Set.of(),
                Set.of(1), Set.of(), 1, now, now);
        return Optional.of(new ApiTokens.Live(new ApiTokens.TokenInfo(staffId * 10, staffId, now, expiresAt, null, null, null), account));
    }

    private Optional<ApiTokens.Live> get(String hash, long staffId) {
        return tokens.get(hash, () -> live(staffId, now.plusSeconds(3600)));
    }

    @Test
    void nothingIsRememberedUntilTheChangesCanBeHeard() {
        get("a", 1);
        get("a", 1);
        assertThat(reads).as("not listening: every request reads").hasValue(2);
        tokens.gap(true);
        get("a", 1);
        get("a", 1);
        assertThat(reads).as("listening: read once, then remembered").hasValue(3);
        tokens.gap(false);
        get("a", 1);
        assertThat(reads).as("the listener lost: all forgotten, nothing remembered").hasValue(4);
        assertThat(tokens.size()).isZero();
    }

    @Test
    void aChangeOfAnAccountForgetsItsTokensAndNoOtherAccounts() {
        tokens.gap(true);
        get("a", 1);
        get("b", 1);
        get("c", 2);
        tokens.notified("1");
        assertThat(tokens.size()).isEqualTo(1);
        get("c", 2);
        assertThat(reads).hasValue(3);
        get("a", 1);
        assertThat(reads).hasValue(4);
        tokens.notified("not an account id");
        assertThat(tokens.size()).as("a payload it does not understand forgets everything").isZero();
    }

    @Test
    void nothingIsRememberedLongerThanItsMaximumAgeNorPastTheTokensExpiry() {
        tokens.gap(true);
        get("a", 1);
        now = now.plusSeconds(29);
        get("a", 1);
        assertThat(reads).hasValue(1);
        now = now.plusSeconds(2);
        get("a", 1);
        assertThat(reads).as("older than 30 s: read again").hasValue(2);

        tokens.get("short", () -> live(3, now.plusSeconds(5)));
        now = now.plusSeconds(6);
        tokens.get("short", () -> Optional.empty());
        assertThat(tokens.get("short", () -> Optional.empty())).as("expired: read again, and gone").isEmpty();
    }

    @Test
    void anAnswerReadWhileAChangeWasHeardIsNotRemembered() {
        tokens.gap(true);
        // The account changes on another node while this node reads it: what it read may be from before the change.
        tokens.get("a", () -> {
            Optional<ApiTokens.Live> read = live(1, now.plusSeconds(3600));
            tokens.notified("1");
            return read;
        });
        assertThat(tokens.size()).isZero();
        get("a", 1);
        assertThat(reads).hasValue(2);
    }

    @Test
    void aNodeRemembersABoundedNumberOfTokens() {
        tokens.gap(true);
        for (int i = 0; i < 10; i++) {
            get("t" + i, i);
        }
        assertThat(tokens.size()).isLessThanOrEqualTo(3);
    }
}
