/** The hospital group: facilities, their units, and staff accounts with roles, facility memberships and unit assignments. */
package org.dossier.organization;
