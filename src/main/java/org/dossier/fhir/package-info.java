/** The FHIR R4 facade (HAPI FHIR plain server at /fhir): it calls the modules' services and gets no private door to the data. */
package org.dossier.fhir;
