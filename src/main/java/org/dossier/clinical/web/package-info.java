/** REST endpoints of the clinical record. */
package org.dossier.clinical.web;
