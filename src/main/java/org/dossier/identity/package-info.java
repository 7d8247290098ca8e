/** Who is calling: authentication of staff accounts, their credentials, and the {@code Actor} handed to every service. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"organization", "platform"})
package org.dossier.identity;
