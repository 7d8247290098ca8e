/** The clinical record: notes, allergies, problems, observations and documents, versioned and never overwritten. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"access", "audit", "care", "organization", "platform"})
package org.dossier.clinical;
