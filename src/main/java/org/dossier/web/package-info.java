/** What every screen and API answer shares: layout, navigation, and errors as RFC 9457 problem details. */
package org.dossier.web;
