/** Writes generated patients with COPY, for the demo hospital; reached only by the demo generator (GatewayArchitectureTest). */
@org.springframework.modulith.NamedInterface("bulk")
package org.dossier.patient.bulk;
