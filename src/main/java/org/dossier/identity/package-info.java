/** Who is calling: authentication of staff accounts, their credentials, and the {@code Actor} handed to every service. */
package org.dossier.identity;
