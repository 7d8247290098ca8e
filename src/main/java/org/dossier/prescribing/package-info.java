/** Medication orders and their history. */
package org.dossier.prescribing;
