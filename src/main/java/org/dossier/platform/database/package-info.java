/** Chooses the PostgreSQL to use and runs the embedded one when none is configured. */
package org.dossier.platform.database;
