/** The clinical record: notes, allergies, problems, observations and documents, versioned and never overwritten. */
package org.dossier.clinical;
