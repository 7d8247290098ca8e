/** REST endpoints of the guard for the security officer: alerts, frozen accounts, unfreezing, canaries; the console's acknowledge and unfreeze forms. */
package org.dossier.guard.web;
