/** REST endpoints for medication orders. */
package org.dossier.prescribing.web;
