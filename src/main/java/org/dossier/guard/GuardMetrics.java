package org.dossier.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The guard's decisions and freezes as counters ({@code dossier_guard_decisions_total{check, response, signal}},
 * {@code dossier_guard_freezes_total{signal}}): tagged by what was checked and the signal, never by account or patient, so
 * the series stay few. The allowed charges, one per request that names patients, use counters made once.
 */
@Component
class GuardMetrics {

    private final MeterRegistry registry;
    private final Map<Guard.Kind, Counter> allowed = new EnumMap<>(Guard.Kind.class);

    GuardMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Guard.Kind kind : Guard.Kind.values()) {
            allowed.put(kind, decision(kind.name(), "allow", "none"));
        }
    }

    void allowed(Guard.Kind kind) {
        allowed.get(kind).increment();
    }

    /** A step-up asked (and the request refused until it is answered), answered, or a freeze, for one check. */
    void decided(String check, String response, GuardSignal signal) {
        decision(check, response, signal.name()).increment();
    }

    /** An account frozen now (not one found frozen already). */
    void froze(GuardSignal signal) {
        Counter.builder("dossier.guard.freezes").description("Accounts frozen by the guard, by signal")
                .tag("signal", signal.name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    private Counter decision(String check, String response, String signal) {
        return Counter.builder("dossier.guard.decisions").description("The guard's decisions: allow, step_up, step_up_answered, freeze")
                .tag("check", check.toLowerCase(Locale.ROOT)).tag("response", response)
                .tag("signal", signal.toLowerCase(Locale.ROOT)).register(registry);
    }
}
