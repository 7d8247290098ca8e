/** REST endpoints of the gateway: break-the-glass, its review queue, restricted records, the patient's access report; the security officer's console. */
package org.dossier.access.web;
