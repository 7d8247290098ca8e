package org.dossier.patient;

import org.dossier.platform.ForbiddenException;

import org.dossier.access.Listing;
import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Patient rows. Package-private: only the patient service, which applies the access rules, reads them. Every read takes
 * the gateway's proof and reads only what it covers: one patient ({@link PatientAccess}), the patients of a list
 * ({@link Listing}) or the facilities of a search ({@link SearchPermit}); what runs before a decision is {@link Locates}.
 */
@Repository
class PatientRepository {

    static final String COLUMNS = "id, facility_id, version, status, merged_into, sex, birthplace_code, sealed_birthplace_code,"
            + " ins_oid, identity_status,"
            + " details::text as details, sealed_details, created_at, updated_at, " + PatientRows.IDENTITY_COLUMNS;
    private static final String SUMMARY_COLUMNS = "id, facility_id, sex, status, " + PatientRows.IDENTITY_COLUMNS;
    /**
     * How many rows one facility's branch of a search fetches by its tokens before the opened names are compared and
     * sorted (ADR 0046): what bounds the work of a broad query ("mar" and a given initial) once the database cannot order
     * by name.
     */
    static final int FETCH_CAP = 1_000;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final FieldCipher cipher;
    private final BlindIndex index;
    private final SealedColumns mergeText;
    private final SealedColumns reviewText;

    PatientRepository(JdbcClient jdbc, JsonMapper json, FieldCipher cipher, BlindIndex index,
                      @Qualifier("mergeText") SealedColumns mergeText, @Qualifier("duplicateReviewText") SealedColumns reviewText) {
        this.jdbc = jdbc;
        this.json = json;
        this.cipher = cipher;
        this.index = index;
        this.mergeText = mergeText;
        this.reviewText = reviewText;
    }

    /** The part of a record kept as one JSON document; its fields are read together and never searched. */
    record Details(List<PatientData.Address> addresses, List<PatientData.Phone> phones, List<PatientData.Email> emails,
                   List<PatientData.RelatedPerson> contacts, PatientData.PreferredPhysician preferredPhysician,
                   PatientData.Coverage coverage) {
        static Details of(PatientData d) {
            return new Details(d.addresses(), d.phones(), d.emails(), d.contacts(), d.preferredPhysician(), d.coverage());
        }

        /** What a shredded patient's details read as: nothing. */
        static final Details ERASED = new Details(List.of(), List.of(), List.of(), List.of(), null, null);
    }

    /** What a version keeps: the whole record as it became. */
    record Snapshot(PatientStatus status, Long mergedInto, PatientData data) {
    }

    /** The record the proof is about. */
    Optional<Patient> find(PatientAccess access) {
        return jdbc.sql("select " + COLUMNS + " from patient where id = ?").param(access.patientId()).query(this::map).optional();
    }

    /** The number the next registration takes, before there is a record to decide about. */
    @Locates
    long nextId() {
        return jdbc.sql("select nextval('patient_id_seq')").query(Long.class).single();
    }

    /**
     * Registers a record and its first version, and answers it as written, under the permit the registration's duplicate
     * check read the registry with: the record does not exist until it returns, so the proof is the registrar's, confined to
     * their facilities; the gateway records the creation next ({@code AccessGateway.created}).
     */
    Patient insert(SearchPermit permit, long id, int facilityId, String ipp, PatientData d, Instant now) {
        if (!permit.facilityIds().contains(facilityId)) {
            throw new ForbiddenException("You cannot register patients in facility " + facilityId);
        }
        long authorId = permit.actor().staffId();
        jdbc.sql("""
                        insert into patient (id, facility_id, version, status, sealed_ipp, sealed_birth_family_name, sealed_used_name,
                            sealed_given_names, sealed_birth_date, sex, sealed_birthplace_code, sealed_ins_matricule, ins_oid, identity_status,
                            sealed_coverage_nir, sealed_details, search_tokens, created_at, updated_at)
                        values (:id, :facility, 1, 'ACTIVE', :ipp, :family, :used, :given, :birthDate, :sex, :birthplace,
                            :ins, :insOid, :identityStatus, :coverageNir, :details, :tokens, :now, :now)""")
                .params(dataParams(d, id, facilityId, ipp))
                .param("id", id).param("facility", facilityId).param("now", Timestamp.from(now))
                .update();
        Patient created = jdbc.sql("select " + COLUMNS + " from patient where id = ?").param(id).query(this::map).single();
        insertVersion(created, authorId, "registration", now);
        return created;
    }

    /** Returns false when the record changed since {@code expectedVersion}. */
    boolean update(PatientAccess access, int expectedVersion, PatientData d, Instant now) {
        return jdbc.sql("""
                        update patient set version = version + 1, sealed_ipp = :ipp, sealed_birth_family_name = :family,
                            sealed_used_name = :used, sealed_given_names = :given, sealed_birth_date = :birthDate, sex = :sex,
                            sealed_birthplace_code = :birthplace, sealed_ins_matricule = :ins, ins_oid = :insOid,
                            identity_status = :identityStatus, sealed_coverage_nir = :coverageNir, details = null,
                            sealed_details = :details, search_tokens = :tokens, ipp = null, birth_family_name = null,
                            used_name = null, given_names = null, birth_date = null, ins_matricule = null, coverage_nir = null,
                            birthplace_code = null, family_key = null, used_key = null, given_key = null, updated_at = :now
                         where id = :id and version = :expected""")
                .params(dataParams(d, access.patientId(), access.patient().facilityId(), ippOf(access)))
                .param("id", access.patientId()).param("expected", expectedVersion).param("now", Timestamp.from(now))
                .update() == 1;
    }

    boolean changeStatus(PatientAccess access, int expectedVersion, PatientStatus status, Long mergedInto, Instant now) {
        return jdbc.sql("""
                        update patient set version = version + 1, status = ?, merged_into = ?, updated_at = ?
                         where id = ? and version = ?""")
                .param(status.name()).param(mergedInto).param(Timestamp.from(now)).param(access.patientId()).param(expectedVersion)
                .update() == 1;
    }

    /** Keeps the record as it is now as its latest version. */
    Patient recordVersion(PatientAccess access, long authorId, String reason, Instant now) {
        Patient p = find(access).orElseThrow();
        insertVersion(p, authorId, reason, now);
        return p;
    }

    /** The reason too is sealed (V70): it may say why ("merged into 12: <why>"). */
    private void insertVersion(Patient p, Long authorId, String reason, Instant now) {
        jdbc.sql("""
                        insert into patient_version (patient_id, version, facility_id, recorded_at, author_id, sealed_reason, sealed_snapshot)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                .param(p.id()).param(p.version()).param(p.facilityId()).param(Timestamp.from(now)).param(authorId)
                .param(cipher.seal(PatientRows.versionReasonCell(p.id(), p.facilityId(), p.version()), reason))
                .param(cipher.seal(PatientRows.versionCell(p.id(), p.facilityId(), p.version()),
                        json.writeValueAsString(new Snapshot(p.status(), p.mergedInto(), p.data()))))
                .update();
    }

    List<PatientVersion> history(PatientAccess access, int limit) {
        return jdbc.sql("""
                        select patient_id, version, facility_id, recorded_at, author_id, reason, sealed_reason,
                               snapshot::text as snapshot, sealed_snapshot
                          from patient_version where patient_id = ? order by version desc limit ?""")
                .param(access.patientId()).param(limit)
                .query((rs, n) -> {
                    Snapshot s = snapshot(rs);
                    // a shredded patient's versions keep their dates and authors; what they recorded, and why, reads as erased
                    return new PatientVersion(rs.getLong("patient_id"), rs.getInt("version"),
                            rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("author_id"),
                            reason(rs), s == null ? null : s.status(), s == null ? null : s.mergedInto(),
                            s == null ? null : s.data());
                })
                .list();
    }

    /** A version's reason, sealed or written in clear before V70; erased with the patient's key. */
    private String reason(ResultSet rs) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_reason");
        if (sealed == null) {
            return rs.getString("reason");
        }
        try {
            return cipher.open(PatientRows.versionReasonCell(rs.getLong("patient_id"), rs.getInt("facility_id"), rs.getInt("version")), sealed);
        } catch (ErasedValueException erased) {
            return SealedColumns.ERASED;
        }
    }

    /** A version's snapshot, or null once the patient's key was shredded (ADR 0047). */
    private Snapshot snapshot(ResultSet rs) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_snapshot");
        if (sealed == null) {
            return json.readValue(rs.getString("snapshot"), Snapshot.class);
        }
        try {
            return json.readValue(cipher.open(PatientRows.versionCell(rs.getLong("patient_id"), rs.getInt("facility_id"),
                    rs.getInt("version")), sealed), Snapshot.class);
        } catch (ErasedValueException erased) {
            return null;
        }
    }

    /**
     * The facilities a permitted search reads: the permit's, or the one asked for when it is one of them (another
     * facility reads nothing).
     */
    private static Integer[] facilities(SearchPermit permit, Integer facilityId) {
        Collection<Integer> permitted = permit.facilityIds();
        if (facilityId == null) {
            return permitted.toArray(Integer[]::new);
        }
        return permitted.contains(facilityId) ? new Integer[]{facilityId} : new Integer[0];
    }

    /** What one facility's branch of a search asks of a record's tokens: all of {@code all}, and one of {@code any} if given. */
    record TokenQuery(List<byte[]> all, List<byte[]> any) {
        boolean empty() {
            return all.isEmpty() && any == null;
        }
    }

    /**
     * The rows of the facilities holding the tokens their query asks for, at most {@code cap} per facility, in one
     * statement: a branch per facility, since each facility's tokens are made with its own key (ADR 0042).
     */
    private <T> List<T> byTokens(Integer[] facilities, java.util.function.IntFunction<TokenQuery> query, boolean activeOnly,
                                 String columns, int cap, org.springframework.jdbc.core.RowMapper<T> mapper) {
        List<String> branches = new java.util.ArrayList<>();
        List<Object> params = new java.util.ArrayList<>();
        for (int facility : facilities) {
            TokenQuery q = query.apply(facility);
            if (q.empty() || q.any() != null && q.any().isEmpty()) {
                continue;
            }
            // the ids through patient_ids_by_tokens (V58: the GIN index, past the wall), the rows under the policy
            branches.add("(select " + columns + " from patient where facility_id = ? and id in (select patient_ids_by_tokens(?, ?, ?, ?, ?)))");
            params.add(facility);
            params.add(facility);
            params.add(activeOnly);
            params.add(q.all().toArray(byte[][]::new));
            params.add(q.any() == null ? new byte[0][] : q.any().toArray(byte[][]::new));
            params.add(cap);
        }
        if (branches.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(String.join(" union all ", branches)).params(params).query(mapper).list();
    }

    /** A row a search fetched by its tokens, opened: what the names are compared on before anything is shown. */
    private record Found(long id, int facilityId, Sex sex, PatientStatus status, PatientRows.Identity identity) {
        String familyKey() {
            return NameKeys.of(identity.birthFamilyName());
        }

        String givenKey() {
            return NameKeys.of(identity.givenNames());
        }

        PatientSearchResult summary() {
            return new PatientSearchResult(id, facilityId, identity.ipp(), identity.birthFamilyName(), identity.usedName(),
                    identity.givenNames(), identity.birthDate() == null ? 0 : identity.birthDate().getYear(), sex, status);
        }
    }

    private Found found(ResultSet rs, int row) throws SQLException {
        return new Found(rs.getLong("id"), rs.getInt("facility_id"), Sex.valueOf(rs.getString("sex")),
                PatientStatus.valueOf(rs.getString("status")), PatientRows.Identity.open(cipher, rs));
    }

    private static boolean matches(String key, String query, PatientSearchQuery.Match match) {
        if (key == null) {
            return false;
        }
        return switch (match) {
            case PREFIX -> key.startsWith(query);
            // Equal keys (case and accents aside); the service keeps the names written exactly so.
            case EXACT -> key.equals(query);
            case CONTAINS -> key.contains(query);
        };
    }

    /** The token a name key is found by: its longest indexed prefix, or the whole key when shorter than a prefix. */
    private byte[] nameToken(int facility, String kind, String key) {
        return key.length() < BlindIndex.MIN_PREFIX ? index.token(facility, kind, key) : index.searchToken(facility, kind, key);
    }

    /**
     * Name search over birth and used names in the permit's facilities (or the one of them asked for). The database
     * finds the records by their tokens (a family-name prefix, a given-name prefix of 3+ letters, the birth date or each
     * day of a range of a year at most); the opened names and dates are then compared exactly as {@code nameMatch},
     * {@code givenMatch} and the range say, and sorted by family and given name (ADR 0046).
     */
    List<PatientSearchResult> searchByName(SearchPermit permit, Integer facilityId, String nameKey, PatientSearchQuery.Match nameMatch,
                                           String givenKey, PatientSearchQuery.Match givenMatch,
                                           LocalDate birthDate, LocalDate bornFrom, LocalDate bornTo,
                                           LocalDate notBornFrom, LocalDate notBornTo, int limit) {
        String given = givenKey == null ? "" : givenKey;
        List<LocalDate> days = birthDate == null && bornFrom != null && bornTo != null
                && !bornTo.isAfter(bornFrom.plusDays(PatientSearchQuery.MAX_BIRTH_RANGE_DAYS))
                ? bornFrom.datesUntil(bornTo).filter(d -> !within(d, notBornFrom, notBornTo)).toList() : null;
        java.util.function.IntFunction<TokenQuery> query = facility -> {
            List<byte[]> all = new java.util.ArrayList<>();
            if (nameMatch != PatientSearchQuery.Match.CONTAINS) {
                all.add(nameToken(facility, PatientRows.FAMILY, nameKey));
            }
            if (givenMatch != PatientSearchQuery.Match.CONTAINS && given.length() >= BlindIndex.MIN_PREFIX) {
                all.add(index.searchToken(facility, PatientRows.GIVEN, given));
            }
            if (birthDate != null) {
                all.add(index.token(facility, PatientRows.BIRTH, birthDate.toString()));
            }
            return new TokenQuery(all, days == null ? null : days.stream().map(d -> index.token(facility, PatientRows.BIRTH, d.toString())).toList());
        };
        return byTokens(facilities(permit, facilityId), query, true, SUMMARY_COLUMNS, FETCH_CAP, this::found).stream()
                .filter(f -> matches(f.familyKey(), nameKey, nameMatch) || matches(NameKeys.of(f.identity().usedName()), nameKey, nameMatch))
                .filter(f -> given.isEmpty() || matches(f.givenKey(), given, givenMatch))
                .filter(f -> bornIn(f.identity().birthDate(), birthDate, bornFrom, bornTo, notBornFrom, notBornTo))
                .sorted(Comparator.comparing(Found::familyKey).thenComparing(Found::givenKey).thenComparingLong(Found::id))
                .limit(limit).map(Found::summary).toList();
    }

    private static boolean within(LocalDate d, LocalDate from, LocalDate to) {
        return (from != null || to != null) && (from == null || !d.isBefore(from)) && (to == null || d.isBefore(to));
    }

    private static boolean bornIn(LocalDate d, LocalDate on, LocalDate from, LocalDate to, LocalDate notFrom, LocalDate notTo) {
        return (on == null || d.equals(on)) && (from == null || !d.isBefore(from)) && (to == null || d.isBefore(to))
                && !within(d, notFrom, notTo);
    }

    /** Records whose INS or coverage NIR is this one (merged records included, so that the merge shows). */
    List<PatientSearchResult> searchByIns(SearchPermit permit, Integer facilityId, String ins, int limit) {
        return byTokens(facilities(permit, facilityId), f -> new TokenQuery(List.of(),
                        List.of(index.token(f, PatientRows.INS, ins), index.token(f, PatientRows.NIR, ins))), false, SUMMARY_COLUMNS,
                FETCH_CAP, this::found).stream()
                .filter(f -> ins.equals(f.identity().insMatricule()) || ins.equals(f.identity().coverageNir()))
                .sorted(Comparator.comparing((Found f) -> f.status().name()).thenComparingLong(Found::id))
                .limit(limit).map(Found::summary).toList();
    }

    List<PatientSearchResult> searchByIpp(SearchPermit permit, Integer facilityId, String ipp, int limit) {
        return byTokens(facilities(permit, facilityId), f -> new TokenQuery(List.of(index.token(f, PatientRows.IPP, ipp)), null),
                false, SUMMARY_COLUMNS, limit, this::found).stream()
                .filter(f -> ipp.equals(f.identity().ipp())).sorted(Comparator.comparingLong(Found::id)).limit(limit)
                .map(Found::summary).toList();
    }

    /** Active records of one of the permit's facilities (none of another) with this INS: possible duplicates. */
    List<Patient> activeWithIns(SearchPermit permit, int facilityId, String ins) {
        return byTokens(facilities(permit, facilityId), f -> new TokenQuery(List.of(index.token(f, PatientRows.INS, ins)), null),
                true, COLUMNS, FETCH_CAP, this::map).stream().filter(p -> ins.equals(p.data().insMatricule())).toList();
    }

    /** Whether another active record of the proof's patient's facility carries this INS (a change would make them twins). */
    boolean insTakenByAnother(PatientAccess access, String ins) {
        int facility = access.patient().facilityId();
        return jdbc.sql("select exists (select 1 from patient_ids_by_tokens(?, true, ?, ?, 2) as t(id) where t.id <> ?)")
                .param(facility).param(new byte[][]{index.token(facility, PatientRows.INS, ins)}).param(new byte[0][])
                .param(access.patientId()).query(Boolean.class).single();
    }

    List<Patient> activeBornOn(SearchPermit permit, int facilityId, LocalDate birthDate, int limit) {
        return byTokens(facilities(permit, facilityId),
                f -> new TokenQuery(List.of(index.token(f, PatientRows.BIRTH, birthDate.toString())), null), true, COLUMNS, limit,
                this::map).stream().filter(p -> birthDate.equals(p.data().birthDate())).toList();
    }

    /** Active records whose birth family name's key is {@code familyKey} and whose given names start with {@code firstGivenKey}. */
    List<Patient> activeNamed(SearchPermit permit, int facilityId, String familyKey, String firstGivenKey, int limit) {
        if (familyKey == null || familyKey.isEmpty()) {
            return List.of();
        }
        String given = firstGivenKey == null ? "" : firstGivenKey;
        return byTokens(facilities(permit, facilityId), f -> {
            List<byte[]> all = new java.util.ArrayList<>(List.of(nameToken(f, PatientRows.FAMILY, familyKey)));
            if (given.length() >= BlindIndex.MIN_PREFIX) {
                all.add(index.searchToken(f, PatientRows.GIVEN, given));
            }
            return new TokenQuery(all, null);
        }, true, COLUMNS, FETCH_CAP, this::map).stream()
                .filter(p -> familyKey.equals(NameKeys.of(p.data().birthFamilyName())))
                .filter(p -> NameKeys.of(p.data().givenNames()).startsWith(given))
                .limit(limit).toList();
    }

    /** Records the merge of the two records the proofs are about, in the survivor's facility; its id first, the reason sealed to its row. */
    long insertMerge(PatientAccess survivor, PatientAccess merged, long authorId, String reason, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('patient_merge', 'id'))").query(Long.class).single();
        int facilityId = survivor.patient().facilityId();
        jdbc.sql("""
                        insert into patient_merge (id, facility_id, survivor_id, merged_id, merged_at, merged_by, sealed_reason)
                        overriding system value values (?, ?, ?, ?, ?, ?, ?)""")
                .param(id).param(facilityId).param(survivor.patientId()).param(merged.patientId()).param(Timestamp.from(now))
                .param(authorId).param(mergeText.seal(survivor.patientId(), facilityId, "reason", id, reason)).update();
        return id;
    }

    /** Who a merge is about, to decide on them: its facility, survivor and merged record, in that order. */
    @Locates
    List<Long> partiesOfMerge(long mergeId) {
        return jdbc.sql("select facility_id, survivor_id, merged_id from patient_merge where id = ?").param(mergeId)
                .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional().orElse(List.of());
    }

    /** A merge the proof's patient took part in (as survivor or merged record). */
    Optional<PatientMerge> findMerge(PatientAccess party, long mergeId) {
        return jdbc.sql("select * from patient_merge where id = ? and (survivor_id = ? or merged_id = ?)")
                .param(mergeId).param(party.patientId()).param(party.patientId()).query(this::merge).optional();
    }

    List<PatientMerge> mergesOf(PatientAccess access) {
        return jdbc.sql("select * from patient_merge where survivor_id = ? or merged_id = ? order by merged_at desc limit 100")
                .param(access.patientId()).param(access.patientId()).query(this::merge).list();
    }

    boolean markMergeUndone(PatientAccess survivor, long mergeId, long authorId, String reason, Instant now) {
        return jdbc.sql("update patient_merge set undone_at = ?, undone_by = ?, sealed_undo_reason = ? where id = ? and survivor_id = ?"
                        + " and undone_at is null")
                .param(Timestamp.from(now)).param(authorId)
                .param(mergeText.seal(survivor.patientId(), survivor.patient().facilityId(), "undo_reason", mergeId, reason))
                .param(mergeId).param(survivor.patientId()).update() == 1;
    }

    private Map<String, Object> dataParams(PatientData d, long id, int facilityId, String ipp) {
        PatientRows.SealedIdentity sealed = PatientRows.sealIdentity(cipher, index, id, facilityId, ipp, d);
        return Map.ofEntries(
                Map.entry("ipp", sealed.ipp()),
                Map.entry("family", sealed.birthFamilyName()),
                Map.entry("used", nullableBytes(sealed.usedName())),
                Map.entry("given", sealed.givenNames()),
                Map.entry("birthDate", sealed.birthDate()),
                Map.entry("sex", d.sex().name()),
                Map.entry("birthplace", nullableBytes(sealed.birthplaceCode())),
                Map.entry("ins", nullableBytes(sealed.insMatricule())),
                Map.entry("insOid", nullable(d.insOid())),
                Map.entry("identityStatus", d.identityStatus().name()),
                Map.entry("coverageNir", nullableBytes(sealed.coverageNir())),
                Map.entry("details", PatientRows.sealedDetails(cipher, json, id, facilityId, d)),
                Map.entry("tokens", sealed.searchTokens()));
    }

    /** The IPP of the proof's patient, which an identity change keeps (and seals, on a row written before V57). */
    private String ippOf(PatientAccess access) {
        return jdbc.sql("select id, facility_id, ipp, sealed_ipp from patient where id = ?").param(access.patientId())
                .query((rs, n) -> {
                    byte[] sealed = rs.getBytes("sealed_ipp");
                    return sealed == null ? rs.getString("ipp")
                            : cipher.open(PatientRows.identityCell(rs.getLong("id"), rs.getInt("facility_id"), "ipp"), sealed);
                }).single();
    }

    private static Object nullableBytes(byte[] b) {
        return b == null ? new org.springframework.jdbc.core.SqlParameterValue(java.sql.Types.BINARY, null) : b;
    }

    private static final Object NULL_TEXT = new org.springframework.jdbc.core.SqlParameterValue(java.sql.Types.VARCHAR, null);

    private static Object nullable(String s) {
        return s == null ? NULL_TEXT : s;
    }

    private Patient map(ResultSet rs, int row) throws SQLException {
        Details details = details(rs);
        PatientRows.Identity identity = PatientRows.Identity.open(cipher, rs);
        PatientData data = new PatientData(identity.birthFamilyName(), identity.usedName(),
                identity.givenNames(), identity.birthDate(), Sex.valueOf(rs.getString("sex")),
                PatientRows.birthplaceCode(cipher, rs), identity.insMatricule(), rs.getString("ins_oid"),
                IdentityStatus.valueOf(rs.getString("identity_status")), details.addresses(), details.phones(),
                details.emails(), details.contacts(), details.preferredPhysician(), details.coverage());
        return new Patient(rs.getLong("id"), rs.getInt("facility_id"), identity.ipp(), rs.getInt("version"),
                PatientStatus.valueOf(rs.getString("status")), (Long) rs.getObject("merged_into"), data,
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    /**
     * The sealed details; a row written before V50 keeps its plaintext details until it is written again or the
     * re-encryption job seals it. A shredded patient's read as erased: none (ADR 0047).
     */
    private Details details(ResultSet rs) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_details");
        if (sealed == null) {
            return json.readValue(rs.getString("details"), Details.class);
        }
        try {
            return json.readValue(cipher.open(PatientRows.detailsCell(rs.getLong("id"), rs.getInt("facility_id")), sealed), Details.class);
        } catch (ErasedValueException erased) {
            return Details.ERASED;
        }
    }

    private PatientMerge merge(ResultSet rs, int row) throws SQLException {
        Timestamp undone = rs.getTimestamp("undone_at");
        return new PatientMerge(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("survivor_id"), rs.getLong("merged_id"),
                rs.getTimestamp("merged_at").toInstant(), rs.getLong("merged_by"), mergeText.open(rs, "reason"),
                undone == null ? null : undone.toInstant(), (Long) rs.getObject("undone_by"), mergeText.open(rs, "undo_reason"));
    }

    /** Queues a possible duplicate the permitted search found, in the facility it searched (never another). */
    void raiseReview(SearchPermit permit, int facilityId, long patientId, DuplicateCandidate c, String source, long raisedBy, Instant now) {
        if (!permit.facilityIds().contains(facilityId)) {
            throw new IllegalArgumentException("facility " + facilityId + " is outside the permit");
        }
        jdbc.sql("""
                        insert into duplicate_review (facility_id, patient_id, candidate_id, reason, score, source, raised_by, raised_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (patient_id, candidate_id) do nothing""")
                .param(facilityId).param(patientId).param(c.id()).param(c.reason().name()).param(c.score()).param(source)
                .param(raisedBy).param(Timestamp.from(now)).update();
    }

    /** Open reviews of the permit's facilities (or the one of them asked for), oldest first. */
    List<DuplicateReview> openReviews(SearchPermit permit, Integer facilityId, int limit) {
        return jdbc.sql("""
                        select id, facility_id, patient_id, candidate_id, reason, score, source, raised_at from duplicate_review
                         where outcome is null and facility_id = any(?) order by raised_at, id limit ?""")
                .param(facilities(permit, facilityId)).param(limit)
                .query((rs, n) -> new DuplicateReview(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                        rs.getLong("candidate_id"), DuplicateCandidate.Reason.valueOf(rs.getString("reason")), rs.getDouble("score"),
                        rs.getString("source"), rs.getTimestamp("raised_at").toInstant(), null, null))
                .list();
    }

    /** Who an open review is about, to decide on them: its facility, patient and candidate, in that order. */
    @Locates
    List<Long> partiesOfReview(long id) {
        return jdbc.sql("select facility_id, patient_id, candidate_id from duplicate_review where id = ? and outcome is null")
                .param(id).query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional().orElse(List.of());
    }

    /** Closes the open review of the two records the proofs are about; the resolution sealed with the review's patient's key. */
    boolean resolveReview(PatientAccess patient, PatientAccess candidate, long id, DuplicateReview.Outcome outcome, long by,
                          String resolution, Instant now) {
        return jdbc.sql("update duplicate_review set outcome = ?, resolved_by = ?, resolved_at = ?, sealed_resolution = ? where id = ?"
                        + " and patient_id = ? and candidate_id = ? and outcome is null")
                .param(outcome.name()).param(by).param(Timestamp.from(now))
                .param(reviewText.seal(patient.patientId(), patient.patient().facilityId(), "resolution", id, resolution)).param(id)
                .param(patient.patientId()).param(candidate.patientId()).update() == 1;
    }

    /** A merge of the two records settles every open review of the pair, whichever way round it was raised. */
    void resolveReviewsOfPair(PatientAccess a, PatientAccess b, long by, String resolution, Instant now) {
        record Open(long id, int facilityId, long patientId) {
        }
        jdbc.sql("""
                        select id, facility_id, patient_id from duplicate_review
                         where outcome is null and ((patient_id = ? and candidate_id = ?) or (patient_id = ? and candidate_id = ?))""")
                .param(a.patientId()).param(b.patientId()).param(b.patientId()).param(a.patientId())
                .query((rs, n) -> new Open(rs.getLong(1), rs.getInt(2), rs.getLong(3))).list()
                // each sealed to its own row, with its own patient's key
                .forEach(r -> jdbc.sql("""
                                update duplicate_review set outcome = 'MERGED', resolved_by = ?, resolved_at = ?, sealed_resolution = ?
                                 where id = ? and outcome is null""")
                        .param(by).param(Timestamp.from(now)).param(reviewText.seal(r.patientId(), r.facilityId(), "resolution", r.id(), resolution))
                        .param(r.id()).update());
    }

    /** The names of the patients a list named, in the facilities of its actor. */
    List<PatientLabel> labels(Listing listing) {
        return labels(listing.patientIds(), listing.actor().facilityIds().toArray(Integer[]::new));
    }

    /** The names of some patients a permitted search found, in the permit's facilities (or the one of them asked for). */
    List<PatientLabel> labels(SearchPermit permit, Integer facilityId, Collection<Long> ids) {
        return labels(ids, facilities(permit, facilityId));
    }

    private List<PatientLabel> labels(Collection<Long> ids, Integer[] facilities) {
        return jdbc.sql("select id, facility_id, sex, " + PatientRows.IDENTITY_COLUMNS + " from patient where id = any(?) and facility_id = any(?)")
                .param(ids.toArray(Long[]::new)).param(facilities)
                .query((rs, n) -> {
                    PatientRows.Identity i = PatientRows.Identity.open(cipher, rs);
                    String family = i.usedName() == null || i.usedName().isEmpty() ? i.birthFamilyName() : i.usedName();
                    return new PatientLabel(rs.getLong("id"), i.ipp(), family, i.givenNames(), i.birthDate(), Sex.valueOf(rs.getString("sex")));
                })
                .list();
    }
}
