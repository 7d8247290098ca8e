/** The patient registry: identity (INS and its identity-vigilance status), demographics, contacts, coverage, versions, duplicates and merges. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"access", "audit", "organization", "platform"})
package org.dossier.patient;
