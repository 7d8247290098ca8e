/** Classes that break the gateway's rules on purpose, so that GatewayRulesCanFailTest shows each rule failing. Never loaded by Spring (abstract or not a component). */
package org.dossier.clinical.gatewayfixture;
