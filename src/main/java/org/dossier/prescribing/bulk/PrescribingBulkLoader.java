package org.dossier.prescribing.bulk;

import org.dossier.prescribing.MedicationOrder;
import org.dossier.prescribing.OrderRows;
import org.dossier.platform.VersionLog;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.dossier.platform.crypto.FieldCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * Writes generated medication orders with COPY, each order and its first version sealed with its patient's key (V65; the
 * patients' keys exist already: the registry's loader made them). Sealing is the costly part: done for all the orders on
 * every core, then copied in order. Write-only, for the demo hospital.
 */
@Component
public class PrescribingBulkLoader {

    private static final Logger log = LoggerFactory.getLogger(PrescribingBulkLoader.class);

    private final BulkLoad bulk;
    private final FieldCipher cipher;
    private final JsonMapper json;

    PrescribingBulkLoader(BulkLoad bulk, FieldCipher cipher, JsonMapper json) {
        this.bulk = bulk;
        this.cipher = cipher;
        this.json = json;
    }

    /** An order's sealed document and first version. */
    private record Sealed(byte[] order, byte[] firstVersion) {
    }

    private Sealed seal(MedicationOrder o) {
        return new Sealed(OrderRows.seal(cipher, json, o.id(), o.facilityId(), o.patientId(), o),
                cipher.seal(VersionLog.snapshotCell("prescribing_version", "medication_order", o.id(), o.version(), o.facilityId(), o.patientId()),
                        json.writeValueAsString(o)));
    }

    public void load(List<MedicationOrder> orders, String reason) {
        long start = System.nanoTime();
        List<Sealed> sealed = orders.parallelStream().map(this::seal).toList();
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("medication_order"), session -> {
            try (BulkCopy c = session.copy("medication_order", "id", "facility_id", "patient_id", "stay_id", "sealed_order",
                    "duration_days", "start_date", "end_date", "status", "prescriber_id", "renewed_from", "sealed_status_reason", "version",
                    "created_at", "updated_at")) {
                for (int i = 0; i < orders.size(); i++) {
                    MedicationOrder o = orders.get(i);
                    c.row(o.id(), o.facilityId(), o.patientId(), o.stayId(), sealed.get(i).order(), o.durationDays(), o.startDate(),
                            o.endDate(), o.status(), o.prescriberId(), o.renewedFrom(), cipher.seal(OrderRows.statusReasonCell(o.id(),
                                    o.facilityId(), o.patientId()), o.statusReason()), o.version(), o.createdAt(), o.createdAt());
                }
            }
            try (BulkLoad.VersionCopy v = session.sealedVersions("prescribing_version")) {
                for (int i = 0; i < orders.size(); i++) {
                    MedicationOrder o = orders.get(i);
                    v.addSealed("medication_order", o.id(), o.version(), o.facilityId(), o.patientId(), o.createdAt(), o.prescriberId(),
                            reason, sealed.get(i).firstVersion());
                }
            }
            session.advanceSequence("medication_order", "id");
        }));
        // the demo's prescribing phase, measured on its own (issue 22: what sealing the orders costs)
        log.info("Prescribing bulk load: {} orders in {} ms", orders.size(), (System.nanoTime() - start) / 1_000_000);
    }
}
