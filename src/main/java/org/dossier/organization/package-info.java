/** The hospital group: facilities, their units, and staff accounts with roles, facility memberships and unit assignments. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"platform"})
package org.dossier.organization;
