package org.dossier.billing;

/**
 * Transmission of claims to the health insurer. The hospital's real connector (SESAM-Vitale, a
 * clearing house) sits behind this interface; Dossier ships a simulation and contacts no one.
 */
interface InsurerGateway {

    /** Hands the claim over for transmission and returns the lot number it travels in. */
    String submit(Claim claim);

    /** The insurer's answer for a submitted claim, or null while there is none yet. */
    Answer answer(Claim claim);

    /** ACCEPTED or REJECTED, with the reason of a rejection. */
    record Answer(boolean accepted, String rejectionReason) {
    }
}
