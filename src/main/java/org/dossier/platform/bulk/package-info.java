/** COPY loads on the owner's connection, which row-level security does not confine: only the modules' bulk packages use them (GatewayArchitectureTest). */
@org.springframework.modulith.NamedInterface("bulk")
package org.dossier.platform.bulk;
