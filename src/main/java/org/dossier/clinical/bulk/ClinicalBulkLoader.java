package org.dossier.clinical.bulk;

import org.dossier.clinical.Allergy;
import org.dossier.clinical.Note;
import org.dossier.clinical.Observation;
import org.dossier.clinical.Problem;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.springframework.stereotype.Component;

import java.util.List;

/** Writes generated notes, allergies, problems and observations with COPY. Write-only, for the demo hospital. */
@Component
public class ClinicalBulkLoader {

    private final BulkLoad bulk;

    ClinicalBulkLoader(BulkLoad bulk) {
        this.bulk = bulk;
    }

    public void load(List<Note> notes, List<Allergy> allergies, List<Problem> problems, List<Observation> observations, String reason) {
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("clinical_note", "allergy", "problem", "observation"), session -> {
            try (BulkCopy c = session.copy("clinical_note", "id", "facility_id", "patient_id", "stay_id", "kind", "status", "title", "body",
                    "author_id", "amends_id", "signed_at", "signed_by", "version", "created_at", "updated_at")) {
                for (Note n : notes) {
                    c.row(n.id(), n.facilityId(), n.patientId(), n.stayId(), n.kind(), n.status(), n.title(), n.body(), n.authorId(),
                            n.amendsId(), n.signedAt(), n.signedBy(), n.version(), n.createdAt(), n.signedAt() == null ? n.createdAt() : n.signedAt());
                }
            }
            try (BulkCopy c = session.copy("allergy", "id", "facility_id", "patient_id", "substance", "substance_code", "reaction",
                    "severity", "kind", "status", "recorded_by", "version", "created_at", "updated_at")) {
                for (Allergy a : allergies) {
                    c.row(a.id(), a.facilityId(), a.patientId(), a.substance(), a.substanceCode(), a.reaction(), a.severity(), a.kind(),
                            a.status(), a.recordedBy(), a.version(), a.updatedAt(), a.updatedAt());
                }
            }
            try (BulkCopy c = session.copy("problem", "id", "facility_id", "patient_id", "icd10_code", "label", "onset_date", "status",
                    "recorded_by", "version", "created_at", "updated_at")) {
                for (Problem p : problems) {
                    c.row(p.id(), p.facilityId(), p.patientId(), p.icd10Code(), p.label(), p.onsetDate(), p.status(), p.recordedBy(),
                            p.version(), p.updatedAt(), p.updatedAt());
                }
            }
            try (BulkCopy c = session.copy("observation", "id", "facility_id", "patient_id", "kind", "code", "label", "value", "value2",
                    "unit", "effective_at", "status", "recorded_by", "version", "created_at")) {
                for (Observation o : observations) {
                    c.row(o.id(), o.facilityId(), o.patientId(), o.kind(), o.code(), o.label(), o.value().toPlainString(),
                            o.value2() == null ? null : o.value2().toPlainString(), o.unit(), o.effectiveAt(), o.status(), o.recordedBy(),
                            o.version(), o.effectiveAt());
                }
            }
            try (BulkLoad.VersionCopy v = session.versions("clinical_version")) {
                for (Note n : notes) {
                    v.add("note", n.id(), n.version(), n.facilityId(), n.patientId(), n.createdAt(), n.authorId(), reason, n);
                }
                for (Allergy a : allergies) {
                    v.add("allergy", a.id(), a.version(), a.facilityId(), a.patientId(), a.updatedAt(), a.recordedBy(), reason, a);
                }
                for (Problem p : problems) {
                    v.add("problem", p.id(), p.version(), p.facilityId(), p.patientId(), p.updatedAt(), p.recordedBy(), reason, p);
                }
                for (Observation o : observations) {
                    v.add("observation", o.id(), o.version(), o.facilityId(), o.patientId(), o.effectiveAt(), o.recordedBy(), reason, o);
                }
            }
            for (String table : List.of("clinical_note", "allergy", "problem", "observation")) {
                session.advanceSequence(table, "id");
            }
        }));
    }
}
