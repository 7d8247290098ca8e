/** REST endpoints of the patient registry. */
package org.dossier.patient.web;
