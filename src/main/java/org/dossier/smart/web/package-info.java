/** The HTTP face of SMART on FHIR: the discovery document, the consent page, the EHR launch and the administrators' app registry. */
package org.dossier.smart.web;
