package org.dossier.clinical;

import java.math.BigDecimal;

/** Vital signs with their LOINC code, unit and plausible range; LAB for any coded lab result. */
public enum ObservationKind {
    BLOOD_PRESSURE("85354-9", "Blood pressure", "mm[Hg]", 40, 300),
    HEART_RATE("8867-4", "Heart rate", "/min", 20, 300),
    TEMPERATURE("8310-5", "Body temperature", "Cel", 30, 45),
    WEIGHT("29463-7", "Body weight", "kg", 0.3, 500),
    SPO2("59408-5", "Oxygen saturation (SpO2)", "%", 50, 100),
    RESPIRATORY_RATE("9279-1", "Respiratory rate", "/min", 4, 80),
    HEIGHT("8302-2", "Body height", "cm", 20, 275),
    LAB(null, null, null, -1e9, 1e9);

    private final String code;
    private final String label;
    private final String unit;
    private final BigDecimal min;
    private final BigDecimal max;

    ObservationKind(String code, String label, String unit, double min, double max) {
        this.code = code;
        this.label = label;
        this.unit = unit;
        this.min = BigDecimal.valueOf(min);
        this.max = BigDecimal.valueOf(max);
    }

    public String code() {
        return code;
    }

    public String label() {
        return label;
    }

    public String unit() {
        return unit;
    }

    public BigDecimal min() {
        return min;
    }

    public BigDecimal max() {
        return max;
    }

    public boolean isVitalSign() {
        return this != LAB;
    }
}
