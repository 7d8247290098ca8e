package org.dossier.access;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a repository method that runs before the gateway decides: it finds which patient (and facility) a record belongs
 * to, so that the gateway can decide about that patient. It answers identifiers and the decision's facts only, never what
 * the record says; every other repository method of patient data takes the proof the gateway issued
 * ({@link PatientAccess}, {@link Listing}, {@link SearchPermit} or {@link ImportRun}). GatewayArchitectureTest holds both rules.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Locates {
}
