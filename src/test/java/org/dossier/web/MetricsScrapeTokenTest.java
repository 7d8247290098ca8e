package org.dossier.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A scrape token too short to be a secret stops the start (MetricsTest checks the token at work). */
class MetricsScrapeTokenTest {

    @Test
    void aShortTokenIsRefusedAtStart() {
        // Refused before the filter chain is built, so no HttpSecurity is needed to see it.
        assertThatThrownBy(() -> new MetricsScrape().metricsScrapeChain(null, "short-token"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("DOSSIER_METRICS_TOKEN")
                .hasMessageContaining("32");
    }
}
