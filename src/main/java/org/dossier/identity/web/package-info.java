/** Web glue of identity: resolving the acting staff member for controllers, and the /api/me endpoint. */
package org.dossier.identity.web;
