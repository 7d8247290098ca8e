/** REST endpoints for facilities, units and staff accounts. */
package org.dossier.organization.web;
