/** The PHI gateway: one deny-by-default decision for every read, write, search and export of patient data. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "guard", "organization", "platform"})
package org.dossier.access;
