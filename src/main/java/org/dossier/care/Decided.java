package org.dossier.care;

import org.dossier.access.PatientAccess;

/** A record as read under the proof the gateway's decision returned, kept together for the change that follows. */
record Decided<T>(PatientAccess access, T record) {
}
