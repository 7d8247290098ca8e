/** The append-only, hash-chained, signed audit trail, its verification and its reports. */
package org.dossier.audit;
