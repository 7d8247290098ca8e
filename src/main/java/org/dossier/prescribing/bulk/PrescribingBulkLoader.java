package org.dossier.prescribing.bulk;

import org.dossier.prescribing.MedicationOrder;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.List;

/** Writes generated medication orders with COPY. Write-only, for the demo hospital. */
@Component
public class PrescribingBulkLoader {

    private static final Logger log = LoggerFactory.getLogger(PrescribingBulkLoader.class);

    private final BulkLoad bulk;

    PrescribingBulkLoader(BulkLoad bulk) {
        this.bulk = bulk;
    }

    public void load(List<MedicationOrder> orders, String reason) {
        long start = System.nanoTime();
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("medication_order"), session -> {
            try (BulkCopy c = session.copy("medication_order", "id", "facility_id", "patient_id", "stay_id", "drug", "atc_code", "cip13",
                    "dose", "route", "frequency", "duration_days", "start_date", "end_date", "status", "prescriber_id", "renewed_from",
                    "allergy_override_reason", "status_reason", "version", "created_at", "updated_at")) {
                for (MedicationOrder o : orders) {
                    c.row(o.id(), o.facilityId(), o.patientId(), o.stayId(), o.drug(), o.atcCode(), o.cip13(), o.dose(), o.route(),
                            o.frequency(), o.durationDays(), o.startDate(), o.endDate(), o.status(), o.prescriberId(), o.renewedFrom(),
                            o.allergyOverrideReason(), o.statusReason(), o.version(), o.createdAt(), o.createdAt());
                }
            }
            try (BulkLoad.VersionCopy v = session.versions("prescribing_version")) {
                for (MedicationOrder o : orders) {
                    v.add("medication_order", o.id(), o.version(), o.facilityId(), o.patientId(), o.createdAt(), o.prescriberId(), reason, o);
                }
            }
            session.advanceSequence("medication_order", "id");
        }));
        // the demo's prescribing phase, measured on its own (issue 22: what sealing the orders costs)
        log.info("Prescribing bulk load: {} orders in {} ms", orders.size(), (System.nanoTime() - start) / 1_000_000);
    }
}
