/** Acts, invoices, health-card (Carte Vitale) reads and claims. */
package org.dossier.billing;
