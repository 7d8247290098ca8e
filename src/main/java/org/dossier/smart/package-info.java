/** SMART on FHIR apps as people meet them: discovery, consent with the launch patient, EHR launch from the chart, registration (ADR 0028). */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "access", "audit", "care", "identity", "organization", "patient", "platform"})
package org.dossier.smart;
