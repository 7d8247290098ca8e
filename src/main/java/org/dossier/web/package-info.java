/** What every screen and API answer shares: layout, navigation, and errors as RFC 9457 problem details. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"audit", "identity", "organization", "platform"})
package org.dossier.web;
