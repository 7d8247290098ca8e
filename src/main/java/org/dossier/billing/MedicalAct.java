package org.dossier.billing;

/** A billable act of the French nomenclatures: CCAM (technical acts) or NGAP (consultations, nursing acts). */
public record MedicalAct(String code, String system, String label, int priceCents) {
}
