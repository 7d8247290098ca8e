package org.dossier.chart.web;

import org.dossier.clinical.Observation;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * A vital sign's last weeks as an SVG polyline, computed here so the page needs no script: x is time, y the value
 * scaled between the series' own minimum and maximum (with a margin). Blood pressure draws its diastolic too.
 */
record TrendChart(String points, String points2, String min, String max, int count) {

    static final int WIDTH = 560, HEIGHT = 200, PAD = 24;

    static TrendChart of(List<Observation> series) {
        if (series.size() < 2) {
            return new TrendChart("", "", "", "", series.size());
        }
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (Observation o : series) {
            lo = Math.min(lo, o.value().doubleValue());
            hi = Math.max(hi, o.value().doubleValue());
            if (o.value2() != null) {
                lo = Math.min(lo, o.value2().doubleValue());
                hi = Math.max(hi, o.value2().doubleValue());
            }
        }
        double margin = Math.max(1, (hi - lo) * 0.1);
        lo -= margin;
        hi += margin;
        long t0 = series.get(0).effectiveAt().toEpochMilli();
        long span = Math.max(1, series.get(series.size() - 1).effectiveAt().toEpochMilli() - t0);
        StringBuilder p = new StringBuilder(), p2 = new StringBuilder();
        for (Observation o : series) {
            double x = PAD + (WIDTH - 2.0 * PAD) * (o.effectiveAt().toEpochMilli() - t0) / span;
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(o.value(), lo, hi)));
            if (o.value2() != null) {
                p2.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(o.value2(), lo, hi)));
            }
        }
        return new TrendChart(p.toString().strip(), p2.toString().strip(), String.format(Locale.ROOT, "%.0f", lo + margin),
                String.format(Locale.ROOT, "%.0f", hi - margin), series.size());
    }

    private static double y(BigDecimal value, double lo, double hi) {
        return HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * (value.doubleValue() - lo) / (hi - lo);
    }
}
