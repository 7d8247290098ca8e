package org.dossier.demo;

import org.dossier.patient.bulk.PatientBulkLoader.BulkPatient;

import java.util.ArrayList;
import java.util.List;

/** What the care generator needs to know of each generated patient, kept compact for a million of them. */
final class PatientIndex {

    final List<Entry> all = new ArrayList<>();

    record Entry(long id, int facilityId, int birthYear, String displayName, String coverageNir) {
    }

    void add(BulkPatient p) {
        String given = p.data().givenNames().split(" ")[0];
        all.add(new Entry(p.id(), p.facilityId(), p.data().birthDate().getYear(), given + " " + p.data().birthFamilyName(),
                p.data().coverage() == null ? null : p.data().coverage().nir()));
    }

    List<Entry> ofFacility(int facilityId) {
        return all.stream().filter(e -> e.facilityId() == facilityId).toList();
    }
}
