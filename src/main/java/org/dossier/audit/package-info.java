/** The append-only, hash-chained, signed audit trail, its verification and its reports. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"identity", "organization", "platform"})
package org.dossier.audit;
