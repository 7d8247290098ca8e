package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.platform.Imported;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;

/** How the clinical tables' columns are bound and read, and the one patient a proof lets a statement touch. */
final class Rows {

    private Rows() {
    }

    /** The patient whose rows a statement may touch: the proof's, and only if it covers the clinical section. */
    static long patientOf(PatientAccess granted) {
        return granted.require(Section.CLINICAL).patientId();
    }

    /** 120.000 reads back as 120 and 37.50 as 37.5, never as 1.2E+2. */
    static BigDecimal strip(BigDecimal b) {
        if (b == null) {
            return null;
        }
        BigDecimal s = b.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static String json(Imported source) {
        return source == null ? null : source.toJson();
    }
}
