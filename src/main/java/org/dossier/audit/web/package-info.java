/** REST endpoints of the audit trail for the security officer. */
package org.dossier.audit.web;
