/** Acts, invoices, health-card (Carte Vitale) reads and claims. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "access", "audit", "care", "organization", "patient", "platform"})
package org.dossier.billing;
