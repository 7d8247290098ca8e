/** REST endpoints of the guard for the security officer: alerts, frozen accounts, unfreezing, canaries. */
package org.dossier.guard.web;
