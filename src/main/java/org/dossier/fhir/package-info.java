/** The FHIR R4 facade (HAPI FHIR plain server at /fhir): it calls the modules' services and gets no private door to the data. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "access", "audit", "billing", "care", "chart", "clinical", "identity", "organization", "patient", "platform", "portal", "prescribing", "web"})
package org.dossier.fhir;
