/** The patient registry: identity (INS and its identity-vigilance status), demographics, contacts, coverage, versions, duplicates and merges. */
package org.dossier.patient;
