package org.dossier.patient;

import java.util.List;

/** At most {@link PatientService#MAX_RESULTS} matches; {@code truncated} says that refining the query would find more. */
public record PatientSearchPage(List<PatientSearchResult> results, boolean truncated) {
}
