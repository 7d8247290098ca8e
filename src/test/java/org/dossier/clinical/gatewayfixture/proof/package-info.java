/** A proof-like class that can be forged, for GatewayRulesCanFailTest. */
package org.dossier.clinical.gatewayfixture.proof;
