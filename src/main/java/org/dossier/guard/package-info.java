/** Exfiltration detection and response: budgets, velocity, canary records, step-up and freeze. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "identity", "organization", "platform"})
package org.dossier.guard;
