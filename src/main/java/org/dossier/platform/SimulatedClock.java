package org.dossier.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock the containment simulations move forward by hand, so that a week of slow exfiltration or a
 * thousand clinician-days run in minutes. Enabled only with {@code dossier.simulation.clock=true}, which a
 * production server refuses; time still flows at wall speed between two jumps.
 */
public final class SimulatedClock extends Clock {

    private final AtomicLong offsetNanos = new AtomicLong();

    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        offsetNanos.addAndGet(by.toNanos());
    }

    /** Moves to {@code at} if it is later than now. */
    public void advanceTo(Instant at) {
        Duration gap = Duration.between(instant(), at);
        if (!gap.isNegative()) {
            advance(gap);
        }
    }

    @Override
    public Instant instant() {
        return Instant.now().plusNanos(offsetNanos.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the server's clock is UTC");
    }
}
