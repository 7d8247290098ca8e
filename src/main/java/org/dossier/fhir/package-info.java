/** The FHIR R4 facade over the modules public services. */
package org.dossier.fhir;
