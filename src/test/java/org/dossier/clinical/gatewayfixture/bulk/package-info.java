/** A bulk loader reached from outside the demo, for GatewayRulesCanFailTest. */
package org.dossier.clinical.gatewayfixture.bulk;
