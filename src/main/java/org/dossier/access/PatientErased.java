package org.dossier.access;

/**
 * The proof that a patient's key is being shredded (ADR 0047), published by {@link Erasures#confirm} inside the
 * confirmation's transaction, just before the key is erased: each module that keeps something that still finds or
 * describes the patient without the key — a blind-index token of a name, a birth date, an observation's code — forgets it
 * then, so that no live table can confirm a guess about them. Only {@code access} makes one; a listener takes it as the
 * proof that lets it touch the patient's rows with no gateway decision.
 */
public final class PatientErased {

    private final long erasureId;
    private final int facilityId;
    private final long patientId;

    PatientErased(long erasureId, int facilityId, long patientId) {
        this.erasureId = erasureId;
        this.facilityId = facilityId;
        this.patientId = patientId;
    }

    public long erasureId() {
        return erasureId;
    }

    public int facilityId() {
        return facilityId;
    }

    public long patientId() {
        return patientId;
    }
}
