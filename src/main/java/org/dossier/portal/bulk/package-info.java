/** Enrols the demo hospital's demo patients in the portal; reached only by the demo loader (GatewayArchitectureTest). */
@org.springframework.modulith.NamedInterface("bulk")
package org.dossier.portal.bulk;
