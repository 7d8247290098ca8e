package org.dossier.platform.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfConfig;
import com.google.crypto.tink.prf.PrfSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The facilities' data-encryption keys (ADR 0041): per facility, a Tink AES-256-GCM keyset for sealed columns and a
 * separate HMAC-SHA256 keyset for blind indexes, created on first use and stored in {@code data_key} only wrapped by the
 * key-encryption key, with the facility and purpose as associated data (a wrapped key moved to another row does not
 * open). Unwrapped keys live in this cache, in memory only, for the life of the process; nothing here logs a key.
 */
@Component
public class DataKeys {

    private static final Logger log = LoggerFactory.getLogger(DataKeys.class);

    /** What a data key is for; each purpose has its own key, so a blind index never uses the sealing key. */
    enum Purpose { FIELD, INDEX }

    private record Slot(int facilityId, Purpose purpose) {
        byte[] associatedData() {
            return ("dossier-data-key|" + facilityId + "|" + purpose).getBytes(StandardCharsets.UTF_8);
        }
    }

    private final JdbcClient jdbc;
    private final KeyEncryptionKeys keks;
    private final Clock clock;
    private final Map<Slot, KeysetHandle> unwrapped = new ConcurrentHashMap<>();
    private final Map<Integer, Aead> aeads = new ConcurrentHashMap<>();
    private final Map<Integer, PrfSet> prfs = new ConcurrentHashMap<>();
    private final Map<Slot, byte[]> seenWrapped = new ConcurrentHashMap<>();

    /**
     * On the side pool: a key is created, and re-wrapped, on a connection of its own that commits at once, never inside the
     * caller's transaction — had a registration that rolls back taken the new key's row with it, the values sealed with
     * the key still in this cache could never be opened again.
     */
    @org.springframework.beans.factory.annotation.Autowired
    DataKeys(org.dossier.platform.SideConnections side, KeyEncryptionKeys keks, Clock clock) throws GeneralSecurityException {
        this(side.jdbc(), keks, clock);
    }

    /** On these connections (the tests' rolled-back transactions). */
    DataKeys(JdbcClient jdbc, KeyEncryptionKeys keks, Clock clock) throws GeneralSecurityException {
        AeadConfig.register();
        PrfConfig.register();
        this.jdbc = jdbc;
        this.keks = keks;
        this.clock = clock;
    }

    /** The sealing primitive of a facility's columns. */
    Aead fieldKey(int facilityId) {
        return aeads.computeIfAbsent(facilityId, f -> primitive(new Slot(f, Purpose.FIELD), Aead.class));
    }

    /**
     * The facility's sealing key read again from the database if it changed there (another node rotated it), else null:
     * a value sealed with a key this node has not seen yet still opens. A value that fails with the stored key costs one
     * read, never a loop.
     */
    Aead reloadedFieldKey(int facilityId) {
        Slot slot = new Slot(facilityId, Purpose.FIELD);
        Stored stored = read(slot);
        byte[] seen = seenWrapped.get(slot);
        if (stored == null || seen == null || java.util.Arrays.equals(stored.wrapped(), seen)) {
            return null;
        }
        unwrapped.remove(slot);
        aeads.remove(facilityId);
        return fieldKey(facilityId);
    }

    /**
     * A data-key rotation (ADR 0047): a new AES-256-GCM key is added to the facility's FIELD keyset and made primary, so
     * that every new value is sealed with it, while the old keys stay in the keyset and keep opening what they sealed
     * until the re-encryption job ({@link DataKeyRotation}) has sealed every value again. Answers the new key's id.
     */
    int rotateFieldKey(int facilityId) {
        Slot slot = new Slot(facilityId, Purpose.FIELD);
        fieldKey(facilityId);
        Stored before = read(slot);
        KeysetHandle current = unwrapped.get(slot);
        try {
            KeysetHandle rotated = KeysetHandle.newBuilder(current)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
                    .build();
            KeyEncryptionKey kek = keks.current();
            int changed = jdbc.sql("update data_key set kek_id = ?, wrapped = ?, wrapped_at = ? where facility_id = ? and purpose = ? and wrapped = ?")
                    .param(kek.id()).param(TinkProtoKeysetFormat.serializeEncryptedKeyset(rotated, kek, slot.associatedData()))
                    .param(Timestamp.from(clock.instant())).param(facilityId).param(slot.purpose().name()).param(before.wrapped())
                    .update();
            if (changed != 1) {
                throw new IllegalStateException("The data key of facility " + facilityId + " changed during its rotation: try again");
            }
            unwrapped.remove(slot);
            aeads.remove(facilityId);
            fieldKey(facilityId);
            log.info("Rotated the FIELD data key of facility {}: new primary key {}", facilityId, rotated.getPrimary().getId());
            return rotated.getPrimary().getId();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot rotate the data key of facility " + facilityId, e);
        }
    }

    /** The Tink output prefix of the facility's primary sealing key: a value starting otherwise was sealed with an older key. */
    byte[] primaryPrefix(int facilityId) {
        fieldKey(facilityId);
        return ((com.google.crypto.tink.aead.AeadKey) unwrapped.get(new Slot(facilityId, Purpose.FIELD)).getPrimary().getKey())
                .getOutputPrefix().toByteArray();
    }

    /** The keyed hash of a facility's blind indexes. */
    PrfSet indexKey(int facilityId) {
        return prfs.computeIfAbsent(facilityId, f -> primitive(new Slot(f, Purpose.INDEX), PrfSet.class));
    }

    private <P> P primitive(Slot slot, Class<P> type) {
        try {
            return unwrapped.computeIfAbsent(slot, this::loadOrCreate).getPrimitive(RegistryConfiguration.get(), type);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The data key of facility " + slot.facilityId() + " (" + slot.purpose() + ") is unusable", e);
        }
    }

    private KeysetHandle loadOrCreate(Slot slot) {
        Stored found = read(slot);
        if (found == null) {
            create(slot);
        }
        // another node may have created it first: the stored one is the one
        Stored stored = found != null ? found : read(slot);
        KeyEncryptionKey kek = keks.byId(stored.kekId()).orElseThrow(() -> new IllegalStateException("The data key of facility "
                + slot.facilityId() + " (" + slot.purpose() + ") is wrapped by " + stored.kekId() + ", which this server does not hold;"
                + " it holds " + keks.current().id() + " (during a rotation, give the previous key too: docs/security/encryption.md)"));
        try {
            KeysetHandle handle = TinkProtoKeysetFormat.parseEncryptedKeyset(stored.wrapped(), kek, slot.associatedData());
            seenWrapped.put(slot, stored.wrapped());
            if (kek != keks.current()) {
                rewrap(slot, handle, stored.kekId());
            }
            return handle;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The data key of facility " + slot.facilityId() + " (" + slot.purpose()
                    + ") does not unwrap with " + kek.id() + ": wrong key-encryption key, or the row was altered", e);
        }
    }

    private record Stored(String kekId, byte[] wrapped) {
    }

    private Stored read(Slot slot) {
        return jdbc.sql("select kek_id, wrapped from data_key where facility_id = ? and purpose = ?")
                .param(slot.facilityId()).param(slot.purpose().name())
                .query((rs, n) -> new Stored(rs.getString(1), rs.getBytes(2))).optional().orElse(null);
    }

    private void create(Slot slot) {
        try {
            KeysetHandle fresh = KeysetHandle.generateNew(slot.purpose() == Purpose.FIELD
                    ? PredefinedAeadParameters.AES256_GCM : PredefinedPrfParameters.HMAC_SHA256_PRF);
            KeyEncryptionKey kek = keks.current();
            Timestamp now = Timestamp.from(clock.instant());
            jdbc.sql("""
                            insert into data_key (facility_id, purpose, kek_id, wrapped, created_at, wrapped_at) values (?, ?, ?, ?, ?, ?)
                            on conflict (facility_id, purpose) do nothing""")
                    .param(slot.facilityId()).param(slot.purpose().name()).param(kek.id())
                    .param(TinkProtoKeysetFormat.serializeEncryptedKeyset(fresh, kek, slot.associatedData())).param(now).param(now)
                    .update();
            log.info("Created the {} data key of facility {}, wrapped by the {}", slot.purpose(), slot.facilityId(), kek);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create a data key for facility " + slot.facilityId(), e);
        }
    }

    /** Wraps the key again with the current key-encryption key, unless another node has done it already. */
    private void rewrap(Slot slot, KeysetHandle handle, String fromKekId) throws GeneralSecurityException {
        KeyEncryptionKey kek = keks.current();
        jdbc.sql("update data_key set kek_id = ?, wrapped = ?, wrapped_at = ? where facility_id = ? and purpose = ? and kek_id = ?")
                .param(kek.id()).param(TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, kek, slot.associatedData()))
                .param(Timestamp.from(clock.instant())).param(slot.facilityId()).param(slot.purpose().name()).param(fromKekId)
                .update();
        log.info("Re-wrapped the {} data key of facility {} with the {}", slot.purpose(), slot.facilityId(), kek);
    }

    /**
     * A key-encryption key rotation, run at every start: every data key still wrapped by the previous key is unwrapped and
     * wrapped with the current one, row by row, while the server serves (a row not done yet still opens with the
     * previous key). Answers how many were re-wrapped. Once it has answered 0 on every node, the previous key can go.
     * Rows wrapped by a key this server holds neither as current nor as previous are left as they are (they fail, with
     * the key they need named, when used).
     */
    @EventListener(ApplicationReadyEvent.class)
    public int rewrapAll() {
        String previous = keks.previous().map(KeyEncryptionKey::id).orElse(null);
        if (previous == null) {
            return 0;
        }
        List<Slot> stale = jdbc.sql("select facility_id, purpose from data_key where kek_id = ? order by facility_id, purpose")
                .param(previous).query((rs, n) -> new Slot(rs.getInt(1), Purpose.valueOf(rs.getString(2)))).list();
        for (Slot slot : stale) {
            unwrapped.remove(slot);
            unwrapped.put(slot, loadOrCreate(slot));
        }
        return stale.size();
    }
}
