/** COPY loads on the owner's connection, which row-level security does not confine: only the modules' bulk packages use them (GatewayArchitectureTest). */
package org.dossier.platform.bulk;
