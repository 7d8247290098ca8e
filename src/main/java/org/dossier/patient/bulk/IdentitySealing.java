package org.dossier.patient.bulk;

import org.dossier.patient.PatientData;
import org.dossier.patient.PatientRows;
import org.dossier.platform.FacilityScope;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seals the identity of the registry rows written before V57 (ADR 0046), which the server still reads in clear but a
 * search cannot find, since they carry no blind-index tokens: in the background, batch by batch, each row's IPP, names,
 * birth date, birthplace, INS and NIR sealed with the patient's own key, its tokens made, and the clear columns (and the
 * old plaintext search keys) emptied, in one conditional update. A row written between V57 and V73 has only its
 * birthplace left in clear, which is sealed alone. Resumable without a cursor of its own: what is left is exactly the
 * rows whose IPP or birthplace is still in clear. One node works at a time (advisory lock). A shredded patient's row
 * cannot be sealed (no key): its clear identity is emptied to the erased mark instead, which is what shredding means.
 * Like the bulk loaders it reads and writes without a gateway decision; nothing it reads leaves the server.
 */
@Component
public class IdentitySealing {

    private static final Logger log = LoggerFactory.getLogger(IdentitySealing.class);
    /** What a shredded patient's identity becomes, as {@code PatientRows.Identity} shows it. */
    private static final String ERASED = "(erased)";
    /** Rows written before V57: identity in clear, not already emptied for a shredded patient. */
    private static final String IDENTITY_CLEAR = "ipp is not null and sealed_ipp is null and ipp not like '(erased)%'";
    /** The rows left to do: those, and the rows written before V73, whose birthplace alone is in clear. */
    private static final String STILL_CLEAR = "(" + IDENTITY_CLEAR + ") or (birthplace_code is not null and sealed_birthplace_code is null)";

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final FieldCipher cipher;
    private final BlindIndex index;
    private final JsonMapper json;
    private final int batchSize;
    private final boolean background;
    private final Duration slice;
    private final AtomicLong sealedTotal = new AtomicLong();
    /** How long the job rests after a tick that found nothing to seal (a restored old row waits that long at most). */
    private static final Duration IDLE = Duration.ofMinutes(10);
    private volatile Instant idleUntil = Instant.MIN;

    IdentitySealing(JdbcClient jdbc, TransactionTemplate transaction, FieldCipher cipher, BlindIndex index, JsonMapper json,
                    @Value("${dossier.keys.identity-sealing.batch-size:200}") int batchSize,
                    @Value("${dossier.keys.identity-sealing.background:true}") boolean background,
                    @Value("${dossier.keys.identity-sealing.slice:PT5S}") Duration slice) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.cipher = cipher;
        this.index = index;
        this.json = json;
        this.batchSize = batchSize;
        this.background = background;
        this.slice = slice;
    }

    /**
     * A row still in clear, as read: enough to seal it and to make its tokens; {@code identity} is null when only the
     * birthplace is left in clear (the rest sealed already, not opened).
     */
    private record ClearRow(long id, int facilityId, PatientRows.Identity identity, List<PatientData.Phone> phones,
                            String birthplaceCode) {
    }

    /** The phones of a row's details (sealed or, before V50, in clear): what a phone search finds it by. */
    private record Phones(List<PatientData.Phone> phones) {
    }

    @Scheduled(fixedDelayString = "${dossier.keys.identity-sealing.interval:PT2S}",
            initialDelayString = "${dossier.keys.identity-sealing.interval:PT2S}")
    void inBackground() {
        if (!background) {
            return;
        }
        Instant now = Instant.now();
        if (now.isBefore(idleUntil)) {
            return;
        }
        Instant until = now.plus(slice);
        int batches = 0;
        try {
            while (Instant.now().isBefore(until) && work(1) == 1) {
                // one batch at a time; a failure is logged by the scheduler and retried at the next tick
                batches++;
            }
        } catch (org.springframework.dao.DataAccessException e) {
            if (!lockTimeout(e)) {
                throw e;
            }
            // A bulk load (the demo's, minutes at a million patients) holds the registry: not an error, a later tick.
            log.debug("The registry is locked (a bulk load?): identity sealing waits for a later tick");
            return;
        }
        // Once nothing is left (every row written since V73 is sealed as written), look again only now and then: the query
        // reads the whole registry, which at a million patients is not free every two seconds.
        idleUntil = batches == 0 ? Instant.now().plus(IDLE) : Instant.MIN;
    }

    private static boolean lockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "55P03".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Runs at most {@code batches} batches; answers how many sealed something (0: nothing left, or another node works). */
    public int work(int batches) {
        int ran = 0;
        while (ran < batches && Boolean.TRUE.equals(FacilityScope.asSystem(() -> transaction.execute(status -> batch())))) {
            ran++;
        }
        return ran;
    }

    /** How many rows still hold their identity in clear. */
    public long remaining() {
        return FacilityScope.asSystem(() -> jdbc.sql("select count(*) from patient where " + STILL_CLEAR)
                .query(Long.class).single());
    }

    private boolean batch() {
        if (!jdbc.sql("select pg_try_advisory_xact_lock(hashtext('dossier-identity-sealing'))").query(Boolean.class).single()) {
            return false;
        }
        List<ClearRow> rows = jdbc.sql("select id, facility_id, " + PatientRows.IDENTITY_COLUMNS + ", details, sealed_details,"
                        + " birthplace_code, (" + IDENTITY_CLEAR + ") as identity_clear"
                        + " from patient where " + STILL_CLEAR + " order by id limit ? for update skip locked")
                .param(batchSize).query(this::clearRow).list();
        int sealed = 0;
        for (ClearRow row : rows) {
            sealed += seal(row) ? 1 : 0;
        }
        if (!rows.isEmpty()) {
            log.info("Sealed (or, for a shredded patient, emptied) the identity of {} registry rows written before V57 or V73 ({} in all since start)", sealed,
                    sealedTotal.addAndGet(sealed));
        }
        return !rows.isEmpty();
    }

    private ClearRow clearRow(ResultSet rs, int n) throws SQLException {
        long id = rs.getLong("id");
        int facilityId = rs.getInt("facility_id");
        String birthplace = rs.getString("birthplace_code");
        return rs.getBoolean("identity_clear")
                ? new ClearRow(id, facilityId, PatientRows.Identity.open(cipher, rs), phones(rs, id, facilityId), birthplace)
                : new ClearRow(id, facilityId, null, List.of(), birthplace);
    }

    private List<PatientData.Phone> phones(ResultSet rs, long id, int facilityId) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_details");
        try {
            String details = sealed == null ? rs.getString("details") : cipher.open(PatientRows.detailsCell(id, facilityId), sealed);
            List<PatientData.Phone> phones = details == null ? null : json.readValue(details, Phones.class).phones();
            return phones == null ? List.of() : phones;
        } catch (ErasedValueException erased) {
            return List.of();
        }
    }

    private boolean seal(ClearRow row) {
        if (row.identity() == null) {
            return sealBirthplace(row);
        }
        PatientRows.Identity d = row.identity();
        try {
            FieldCipher.Cell ipp = PatientRows.identityCell(row.id(), row.facilityId(), "ipp");
            return jdbc.sql("""
                            update patient set sealed_ipp = ?, sealed_birth_family_name = ?, sealed_used_name = ?,
                                sealed_given_names = ?, sealed_birth_date = ?, sealed_ins_matricule = ?, sealed_coverage_nir = ?,
                                sealed_birthplace_code = ?, search_tokens = ?, ipp = null, birth_family_name = null,
                                used_name = null, given_names = null, birth_date = null, ins_matricule = null, coverage_nir = null,
                                birthplace_code = null, family_key = null, used_key = null, given_key = null
                             where id = ? and sealed_ipp is null and ipp = ?""")
                    .param(cipher.seal(ipp, d.ipp()))
                    .param(sealedOrNull(row, "birth_family_name", d.birthFamilyName()))
                    .param(sealedOrNull(row, "used_name", d.usedName()))
                    .param(sealedOrNull(row, "given_names", d.givenNames()))
                    .param(sealedOrNull(row, "birth_date", d.birthDate().toString()))
                    .param(sealedOrNull(row, "ins_matricule", d.insMatricule()))
                    .param(sealedOrNull(row, "coverage_nir", d.coverageNir()))
                    .param(sealedOrNull(row, "birthplace_code", row.birthplaceCode()))
                    .param(PatientRows.searchTokens(index, row.facilityId(), d, row.phones()))
                    .param(row.id()).param(d.ipp()).update() == 1;
        } catch (ErasedValueException shredded) {
            return erase(row);
        }
    }

    /** A row sealed since V57 but written before V73: its birthplace alone, or emptied if the patient was shredded. */
    private boolean sealBirthplace(ClearRow row) {
        byte[] sealed;
        try {
            sealed = cipher.seal(PatientRows.identityCell(row.id(), row.facilityId(), "birthplace_code"), row.birthplaceCode());
        } catch (ErasedValueException shredded) {
            sealed = null;
        }
        return jdbc.sql("""
                        update patient set sealed_birthplace_code = ?, birthplace_code = null
                         where id = ? and sealed_birthplace_code is null and birthplace_code = ?""")
                .param(binary(sealed))
                .param(row.id()).param(row.birthplaceCode()).update() == 1;
    }

    private Object sealedOrNull(ClearRow row, String column, String value) {
        return binary(cipher.seal(PatientRows.identityCell(row.id(), row.facilityId(), column), value));
    }

    /** A bytea parameter, typed even when null (the driver cannot tell a null's type). */
    private static Object binary(byte[] value) {
        return value == null ? new org.springframework.jdbc.core.SqlParameterValue(java.sql.Types.BINARY, null) : value;
    }

    /**
     * A shredded patient's identity cannot be sealed with a key that no longer exists, and must not stay readable: the
     * names become the erased mark, the identifiers are emptied (the IPP, which must stay unique in its facility, to the
     * mark and the row id), the birth date (which the row must hold, clear or sealed) to 1900-01-01, the birthplace to
     * none; no tokens.
     */
    private boolean erase(ClearRow row) {
        return jdbc.sql("""
                        update patient set ipp = ?, birth_family_name = ?, used_name = null, given_names = ?,
                            birth_date = date '1900-01-01', ins_matricule = null, coverage_nir = null, birthplace_code = null,
                            family_key = null, used_key = null, given_key = null, search_tokens = '{}'
                         where id = ? and sealed_ipp is null and ipp = ?""")
                .param(ERASED + " " + row.id()).param(ERASED).param(ERASED).param(row.id()).param(row.identity().ipp()).update() == 1;
    }
}
