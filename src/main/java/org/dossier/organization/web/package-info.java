/** REST endpoints and the administrator's screens for facilities, units, staff accounts and their grants. */
package org.dossier.organization.web;
