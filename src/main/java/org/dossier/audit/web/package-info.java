/** REST endpoints and screens of the audit trail for the security officer: search, access and exposure reports, verification. */
package org.dossier.audit.web;
