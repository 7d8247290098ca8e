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

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClinicalBulkLoader.class);

    private final BulkLoad bulk;

    ClinicalBulkLoader(BulkLoad bulk) {
        this.bulk = bulk;
    }

    public void load(List<Note> notes, List<Allergy> allergies, List<Problem> problems, List<Observation> observations, String reason) {
        long start = System.nanoTime();
        copy(notes, allergies, problems, observations, reason);
        log.info("Clinical records loaded: {} notes, {} allergies, {} problems, {} observations in {} ms", notes.size(), allergies.size(),
                problems.size(), observations.size(), (System.nanoTime() - start) / 1_000_000);
    }

    private void copy(List<Note> notes, List<Allergy> allergies, List<Problem> problems, List<Observation> observations, String reason) {
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

    /**
     * A result and a document released to a demo patient (ADR 0044), so that the portal's "My results" and "My documents"
     * show something: a haemoglobin measured by {@code physician} a week before {@code now}, and a short PDF letter, both
     * released by that physician. Written on the owner's connection like the rest of the demo.
     */
    public void releasedToPatient(long patientId, int facilityId, long physician, java.time.Instant now, String reason) {
        java.time.Instant measured = now.minus(java.time.Duration.ofDays(7));
        bulk.run(session -> {
            java.sql.Connection c = session.connection();
            long observation = insert(c, """
                    insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by,
                                             version, created_at)
                    values (?, ?, 'LAB', '718-7', 'Hémoglobine', 13.6, 'g/dL', ?, 'FINAL', ?, 1, ?) returning id""",
                    facilityId, patientId, java.sql.Timestamp.from(measured), physician, java.sql.Timestamp.from(measured));
            byte[] pdf = DemoLetter.pdf();
            long document = insert(c, """
                    insert into clinical_document (facility_id, patient_id, title, kind, content_type, size_bytes, sha256, content, status,
                                                   uploaded_by, version, created_at)
                    values (?, ?, 'Compte rendu de consultation', 'LETTER', 'application/pdf', ?, ?, ?, 'CURRENT', ?, 1, ?) returning id""",
                    facilityId, patientId, pdf.length, DemoLetter.sha256(pdf), pdf, physician, java.sql.Timestamp.from(measured));
            try (BulkLoad.VersionCopy v = session.versions("clinical_version")) {
                v.add("observation", observation, 1, facilityId, patientId, measured, physician, reason, new Observation(observation,
                        facilityId, patientId, org.dossier.clinical.ObservationKind.LAB, "718-7", "Hémoglobine", new java.math.BigDecimal("13.6"),
                        null, "g/dL", measured, "FINAL", physician, 1));
                v.add("document", document, 1, facilityId, patientId, measured, physician, reason, new org.dossier.clinical.ClinicalDocument(
                        document, facilityId, patientId, "Compte rendu de consultation", "LETTER", "application/pdf", pdf.length,
                        DemoLetter.sha256(pdf), "CURRENT", physician, 1, measured));
            }
            for (Object[] released : new Object[][]{{"OBSERVATION", observation}, {"DOCUMENT", document}}) {
                insert(c, """
                        insert into clinical_release (record_kind, record_id, patient_id, facility_id, released_by, released_at)
                        values (?, ?, ?, ?, ?, ?) returning record_id""",
                        released[0], released[1], patientId, facilityId, physician, java.sql.Timestamp.from(now));
            }
        });
    }

    private static long insert(java.sql.Connection c, String sql, Object... params) throws java.sql.SQLException {
        try (java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
