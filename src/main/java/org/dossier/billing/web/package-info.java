/** REST endpoints for acts, invoices, health-card reads and claims. */
package org.dossier.billing.web;
