/** Writes a generated organization at once, for the demo hospital; reached only by the demo generator (GatewayArchitectureTest). */
@org.springframework.modulith.NamedInterface("bulk")
package org.dossier.organization.bulk;
