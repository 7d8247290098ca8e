/** The PHI gateway: one deny-by-default decision for every read, write, search and export of patient data. */
package org.dossier.access;
