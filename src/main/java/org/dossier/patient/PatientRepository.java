package org.dossier.patient;

import org.dossier.platform.ForbiddenException;

import org.dossier.access.Listing;
import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
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

    static final String COLUMNS = """
            id, facility_id, ipp, version, status, merged_into, birth_family_name, used_name, given_names, birth_date,
            sex, birthplace_code, ins_matricule, ins_oid, identity_status, details::text as details, sealed_details, created_at,
            updated_at""";
    private static final String SUMMARY_COLUMNS =
            "id, facility_id, ipp, birth_family_name, used_name, given_names, birth_date, sex, status";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final FieldCipher cipher;

    PatientRepository(JdbcClient jdbc, JsonMapper json, FieldCipher cipher) {
        this.jdbc = jdbc;
        this.json = json;
        this.cipher = cipher;
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
                        insert into patient (id, facility_id, ipp, version, status, birth_family_name, used_name, given_names,
                            birth_date, sex, birthplace_code, ins_matricule, ins_oid, identity_status, coverage_nir, sealed_details,
                            family_key, used_key, given_key, created_at, updated_at)
                        values (:id, :facility, :ipp, 1, 'ACTIVE', :family, :used, :given, :birthDate, :sex, :birthplace,
                            :ins, :insOid, :identityStatus, :coverageNir, :details, :familyKey, :usedKey,
                            :givenKey, :now, :now)""")
                .params(dataParams(d, id, facilityId))
                .param("id", id).param("facility", facilityId).param("ipp", ipp).param("now", Timestamp.from(now))
                .update();
        Patient created = jdbc.sql("select " + COLUMNS + " from patient where id = ?").param(id).query(this::map).single();
        insertVersion(created, authorId, "registration", now);
        return created;
    }

    /** Returns false when the record changed since {@code expectedVersion}. */
    boolean update(PatientAccess access, int expectedVersion, PatientData d, Instant now) {
        return jdbc.sql("""
                        update patient set version = version + 1, birth_family_name = :family, used_name = :used,
                            given_names = :given, birth_date = :birthDate, sex = :sex, birthplace_code = :birthplace,
                            ins_matricule = :ins, ins_oid = :insOid, identity_status = :identityStatus,
                            coverage_nir = :coverageNir, details = null, sealed_details = :details, family_key = :familyKey,
                            used_key = :usedKey, given_key = :givenKey, updated_at = :now
                         where id = :id and version = :expected""")
                .params(dataParams(d, access.patientId(), access.patient().facilityId()))
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

    private void insertVersion(Patient p, Long authorId, String reason, Instant now) {
        jdbc.sql("""
                        insert into patient_version (patient_id, version, facility_id, recorded_at, author_id, reason, sealed_snapshot)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                .param(p.id()).param(p.version()).param(p.facilityId()).param(Timestamp.from(now)).param(authorId)
                .param(reason).param(cipher.seal(PatientRows.versionCell(p.id(), p.facilityId(), p.version()),
                        json.writeValueAsString(new Snapshot(p.status(), p.mergedInto(), p.data()))))
                .update();
    }

    List<PatientVersion> history(PatientAccess access, int limit) {
        return jdbc.sql("""
                        select patient_id, version, facility_id, recorded_at, author_id, reason, snapshot::text as snapshot,
                               sealed_snapshot
                          from patient_version where patient_id = ? order by version desc limit ?""")
                .param(access.patientId()).param(limit)
                .query((rs, n) -> {
                    Snapshot s = snapshot(rs);
                    // a shredded patient's versions keep their dates, authors and reasons; what they recorded reads as erased
                    return new PatientVersion(rs.getLong("patient_id"), rs.getInt("version"),
                            rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("author_id"),
                            rs.getString("reason"), s == null ? null : s.status(), s == null ? null : s.mergedInto(),
                            s == null ? null : s.data());
                })
                .list();
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

    private static String pattern(String key, PatientSearchQuery.Match match) {
        return switch (match) {
            case PREFIX -> escapeLike(key) + "%";
            // Equal keys (case and accents aside); the service keeps the names written exactly so.
            case EXACT -> escapeLike(key);
            case CONTAINS -> "%" + escapeLike(key) + "%";
        };
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

    /**
     * Name search over birth and used names, each branch walking its index in order, in the permit's facilities (or the
     * one of them asked for); the family and given name keys matched as {@code nameMatch} and {@code givenMatch} say.
     */
    List<PatientSearchResult> searchByName(SearchPermit permit, Integer facilityId, String nameKey, PatientSearchQuery.Match nameMatch,
                                           String givenKey, PatientSearchQuery.Match givenMatch,
                                           LocalDate birthDate, LocalDate bornFrom, LocalDate bornTo,
                                           LocalDate notBornFrom, LocalDate notBornTo, int limit) {
        String given = givenKey == null ? "" : givenKey;
        String born = (bornFrom == null ? "" : " and birth_date >= :bornFrom") + (bornTo == null ? "" : " and birth_date < :bornTo")
                + (notBornFrom == null && notBornTo == null ? "" : " and not (birth_date >= coalesce(:notFrom, '-infinity'::date)"
                + " and birth_date < coalesce(:notTo, 'infinity'::date))");
        String sql;
        if (birthDate != null) {
            sql = "select " + SUMMARY_COLUMNS + " from patient where facility_id = any(:facilities) and status = 'ACTIVE'"
                    + " and birth_date = :birthDate and (family_key like :name or used_key like :name)"
                    + " and given_key like :given order by family_key, given_key, id limit :limit";
        } else {
            sql = "select " + SUMMARY_COLUMNS + " from patient where id in ("
                    + "(select id from patient where facility_id = any(:facilities) and status = 'ACTIVE'"
                    + "   and family_key like :name and given_key like :given" + born + " order by family_key, given_key limit :limit)"
                    + " union "
                    + "(select id from patient where facility_id = any(:facilities) and status = 'ACTIVE'"
                    + "   and used_key like :name and given_key like :given" + born + " order by used_key, given_key limit :limit))"
                    + " order by family_key, given_key, id limit :limit";
        }
        JdbcClient.StatementSpec spec = jdbc.sql(sql)
                .param("facilities", facilities(permit, facilityId))
                .param("name", pattern(nameKey, nameMatch))
                .param("given", given.isEmpty() ? "%" : pattern(given, givenMatch))
                .param("limit", limit);
        if (birthDate != null) {
            spec = spec.param("birthDate", Date.valueOf(birthDate));
        } else {
            if (bornFrom != null) {
                spec = spec.param("bornFrom", Date.valueOf(bornFrom));
            }
            if (bornTo != null) {
                spec = spec.param("bornTo", Date.valueOf(bornTo));
            }
            if (notBornFrom != null || notBornTo != null) {
                spec = spec.param("notFrom", notBornFrom == null ? null : Date.valueOf(notBornFrom), java.sql.Types.DATE)
                        .param("notTo", notBornTo == null ? null : Date.valueOf(notBornTo), java.sql.Types.DATE);
            }
        }
        return spec.query(PatientRepository::summary).list();
    }

    List<PatientSearchResult> searchByIns(SearchPermit permit, Integer facilityId, String ins, int limit) {
        return jdbc.sql("select " + SUMMARY_COLUMNS + " from patient where facility_id = any(?)"
                        + " and (ins_matricule = ? or coverage_nir = ?) order by status, id limit ?")
                .param(facilities(permit, facilityId)).param(ins).param(ins).param(limit)
                .query(PatientRepository::summary).list();
    }

    List<PatientSearchResult> searchByIpp(SearchPermit permit, Integer facilityId, String ipp, int limit) {
        return jdbc.sql("select " + SUMMARY_COLUMNS + " from patient where facility_id = any(?) and ipp = ? limit ?")
                .param(facilities(permit, facilityId)).param(ipp).param(limit)
                .query(PatientRepository::summary).list();
    }

    /** Active records of one of the permit's facilities (none of another) with this INS: possible duplicates. */
    List<Patient> activeWithIns(SearchPermit permit, int facilityId, String ins) {
        return jdbc.sql("select " + COLUMNS + " from patient where facility_id = any(?) and ins_matricule = ? and status = 'ACTIVE'")
                .param(facilities(permit, facilityId)).param(ins).query(this::map).list();
    }

    /** Whether another active record of the proof's patient's facility carries this INS (a change would make them twins). */
    boolean insTakenByAnother(PatientAccess access, String ins) {
        return jdbc.sql("select exists (select 1 from patient where facility_id = ? and ins_matricule = ? and status = 'ACTIVE'"
                        + " and id <> ?)")
                .param(access.patient().facilityId()).param(ins).param(access.patientId()).query(Boolean.class).single();
    }

    List<Patient> activeBornOn(SearchPermit permit, int facilityId, LocalDate birthDate, int limit) {
        return jdbc.sql("select " + COLUMNS + " from patient where facility_id = any(?) and birth_date = ? and status = 'ACTIVE' limit ?")
                .param(facilities(permit, facilityId)).param(Date.valueOf(birthDate)).param(limit).query(this::map).list();
    }

    List<Patient> activeNamed(SearchPermit permit, int facilityId, String familyKey, String firstGivenKey, int limit) {
        return jdbc.sql("select " + COLUMNS + " from patient where facility_id = any(?) and family_key = ? and given_key like ?"
                        + " and status = 'ACTIVE' limit ?")
                .param(facilities(permit, facilityId)).param(familyKey).param(escapeLike(firstGivenKey) + "%").param(limit)
                .query(this::map).list();
    }

    /** Records the merge of the two records the proofs are about, in the survivor's facility. */
    long insertMerge(PatientAccess survivor, PatientAccess merged, long authorId, String reason, Instant now) {
        return jdbc.sql("""
                        insert into patient_merge (facility_id, survivor_id, merged_id, merged_at, merged_by, reason)
                        values (?, ?, ?, ?, ?, ?) returning id""")
                .param(survivor.patient().facilityId()).param(survivor.patientId()).param(merged.patientId()).param(Timestamp.from(now))
                .param(authorId).param(reason).query(Long.class).single();
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
                .param(mergeId).param(party.patientId()).param(party.patientId()).query(PatientRepository::merge).optional();
    }

    List<PatientMerge> mergesOf(PatientAccess access) {
        return jdbc.sql("select * from patient_merge where survivor_id = ? or merged_id = ? order by merged_at desc limit 100")
                .param(access.patientId()).param(access.patientId()).query(PatientRepository::merge).list();
    }

    boolean markMergeUndone(PatientAccess survivor, long mergeId, long authorId, String reason, Instant now) {
        return jdbc.sql("update patient_merge set undone_at = ?, undone_by = ?, undo_reason = ? where id = ? and survivor_id = ?"
                        + " and undone_at is null")
                .param(Timestamp.from(now)).param(authorId).param(reason).param(mergeId).param(survivor.patientId()).update() == 1;
    }

    private Map<String, Object> dataParams(PatientData d, long id, int facilityId) {
        return Map.ofEntries(
                Map.entry("family", d.birthFamilyName()),
                Map.entry("used", nullable(d.usedName())),
                Map.entry("given", d.givenNames()),
                Map.entry("birthDate", Date.valueOf(d.birthDate())),
                Map.entry("sex", d.sex().name()),
                Map.entry("birthplace", nullable(d.birthplaceCode())),
                Map.entry("ins", nullable(d.insMatricule())),
                Map.entry("insOid", nullable(d.insOid())),
                Map.entry("identityStatus", d.identityStatus().name()),
                Map.entry("coverageNir", d.coverage() == null ? NULL_TEXT : d.coverage().nir()),
                Map.entry("details", PatientRows.sealedDetails(cipher, json, id, facilityId, d)),
                Map.entry("familyKey", NameKeys.of(d.birthFamilyName())),
                Map.entry("usedKey", d.usedName() == null ? NULL_TEXT : NameKeys.of(d.usedName())),
                Map.entry("givenKey", NameKeys.of(d.givenNames())));
    }

    private static final Object NULL_TEXT = new org.springframework.jdbc.core.SqlParameterValue(java.sql.Types.VARCHAR, null);

    private static Object nullable(String s) {
        return s == null ? NULL_TEXT : s;
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private Patient map(ResultSet rs, int row) throws SQLException {
        Details details = details(rs);
        PatientData data = new PatientData(rs.getString("birth_family_name"), rs.getString("used_name"),
                rs.getString("given_names"), rs.getObject("birth_date", LocalDate.class), Sex.valueOf(rs.getString("sex")),
                rs.getString("birthplace_code"), rs.getString("ins_matricule"), rs.getString("ins_oid"),
                IdentityStatus.valueOf(rs.getString("identity_status")), details.addresses(), details.phones(),
                details.emails(), details.contacts(), details.preferredPhysician(), details.coverage());
        return new Patient(rs.getLong("id"), rs.getInt("facility_id"), rs.getString("ipp"), rs.getInt("version"),
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

    private static PatientMerge merge(ResultSet rs, int row) throws SQLException {
        Timestamp undone = rs.getTimestamp("undone_at");
        return new PatientMerge(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("survivor_id"), rs.getLong("merged_id"),
                rs.getTimestamp("merged_at").toInstant(), rs.getLong("merged_by"), rs.getString("reason"),
                undone == null ? null : undone.toInstant(), (Long) rs.getObject("undone_by"), rs.getString("undo_reason"));
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

    /** Closes the open review of the two records the proofs are about. */
    boolean resolveReview(PatientAccess patient, PatientAccess candidate, long id, DuplicateReview.Outcome outcome, long by,
                          String resolution, Instant now) {
        return jdbc.sql("update duplicate_review set outcome = ?, resolved_by = ?, resolved_at = ?, resolution = ? where id = ?"
                        + " and patient_id = ? and candidate_id = ? and outcome is null")
                .param(outcome.name()).param(by).param(Timestamp.from(now)).param(resolution).param(id)
                .param(patient.patientId()).param(candidate.patientId()).update() == 1;
    }

    /** A merge of the two records settles every open review of the pair, whichever way round it was raised. */
    void resolveReviewsOfPair(PatientAccess a, PatientAccess b, long by, String resolution, Instant now) {
        jdbc.sql("""
                        update duplicate_review set outcome = 'MERGED', resolved_by = ?, resolved_at = ?, resolution = ?
                         where outcome is null and ((patient_id = ? and candidate_id = ?) or (patient_id = ? and candidate_id = ?))""")
                .param(by).param(Timestamp.from(now)).param(resolution).param(a.patientId()).param(b.patientId())
                .param(b.patientId()).param(a.patientId()).update();
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
        return jdbc.sql("select id, ipp, coalesce(nullif(used_name, ''), birth_family_name) as family, given_names, birth_date, sex"
                        + " from patient where id = any(?) and facility_id = any(?)")
                .param(ids.toArray(Long[]::new)).param(facilities)
                .query((rs, n) -> new PatientLabel(rs.getLong("id"), rs.getString("ipp"), rs.getString("family"), rs.getString("given_names"),
                        rs.getObject("birth_date", LocalDate.class), Sex.valueOf(rs.getString("sex"))))
                .list();
    }

    private static PatientSearchResult summary(ResultSet rs, int row) throws SQLException {
        return new PatientSearchResult(rs.getLong("id"), rs.getInt("facility_id"), rs.getString("ipp"),
                rs.getString("birth_family_name"), rs.getString("used_name"), rs.getString("given_names"),
                rs.getObject("birth_date", LocalDate.class).getYear(), Sex.valueOf(rs.getString("sex")),
                PatientStatus.valueOf(rs.getString("status")));
    }
}
