/** Medication orders and their history. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "access", "audit", "care", "clinical", "organization", "platform"})
package org.dossier.prescribing;
