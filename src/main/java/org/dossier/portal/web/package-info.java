/** The portal's screens for patients (under /portal), the desk's enrolment code page and the security officer's case queue. */
package org.dossier.portal.web;
