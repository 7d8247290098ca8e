package org.dossier.clinical;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Conversions of the UCUM units a vital sign arrives in from elsewhere to the unit Dossier keeps it in, from UCUM's own
 * definitions, all exact: [degF] (°C = (°F − 32) × 5/9), K, [lb_av] (0.45359237 kg), [oz_av], g, [in_i] (2.54 cm),
 * [ft_i], m, mm. Hand-written on purpose (ADR 0023): HL7's UCUM library (org.fhir:ucum 1.0.9) refuses [degF] ("not
 * handled yet") and rounds 70 [in_i] to 178 cm, to the significant digits of the definition — an altered height.
 */
final class Units {

    private static final MathContext EXACT = MathContext.DECIMAL64;

    /** (from, to) → factor, for the units that differ only by a factor. */
    private static final Map<String, BigDecimal> FACTORS = Map.of(
            "[lb_av]>kg", new BigDecimal("0.45359237"),
            "[oz_av]>kg", new BigDecimal("0.028349523125"),
            "g>kg", new BigDecimal("0.001"),
            "[in_i]>cm", new BigDecimal("2.54"),
            "[ft_i]>cm", new BigDecimal("30.48"),
            "m>cm", new BigDecimal("100"),
            "mm>cm", new BigDecimal("0.1"));

    private Units() {
    }

    /** {@code value} in {@code to}, to the thousandth the record keeps; null when the units do not convert. */
    static BigDecimal convert(BigDecimal value, String from, String to) {
        if (value == null || from == null || to == null) {
            return null;
        }
        if (from.equals(to)) {
            return value;
        }
        BigDecimal out;
        if (from.equals("[degF]") && to.equals("Cel")) {
            out = value.subtract(BigDecimal.valueOf(32)).multiply(BigDecimal.valueOf(5)).divide(BigDecimal.valueOf(9), EXACT);
        } else if (from.equals("K") && to.equals("Cel")) {
            out = value.subtract(new BigDecimal("273.15"));
        } else {
            BigDecimal factor = FACTORS.get(from + ">" + to);
            if (factor == null) {
                return null;
            }
            out = value.multiply(factor, EXACT);
        }
        BigDecimal rounded = out.setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0) : rounded;
    }
}
