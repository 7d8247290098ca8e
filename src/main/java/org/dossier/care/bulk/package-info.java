/** Writes generated stays, appointments, care teams and referrals with COPY, for the demo hospital; reached only by the demo generator (GatewayArchitectureTest). */
@org.springframework.modulith.NamedInterface("bulk")
package org.dossier.care.bulk;
