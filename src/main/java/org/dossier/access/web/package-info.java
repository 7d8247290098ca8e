/** REST endpoints of the gateway: break-the-glass, its review queue, restricted records, the patient's access report. */
package org.dossier.access.web;
