package org.dossier.patient;

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

/** Patient rows. Package-private: only the patient service, which applies the access rules, reads them. */
@Repository
class PatientRepository {

    static final String COLUMNS = """
            id, facility_id, ipp, version, status, merged_into, birth_family_name, used_name, given_names, birth_date,
            sex, birthplace_code, ins_matricule, ins_oid, identity_status, details::text as details, created_at, updated_at""";
    private static final String SUMMARY_COLUMNS =
            "id, facility_id, ipp, birth_family_name, used_name, given_names, birth_date, sex, status";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    PatientRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The part of a record kept as one JSON document; its fields are read together and never searched. */
    record Details(List<PatientData.Address> addresses, List<PatientData.Phone> phones, List<PatientData.Email> emails,
                   List<PatientData.RelatedPerson> contacts, PatientData.PreferredPhysician preferredPhysician,
                   PatientData.Coverage coverage) {
        static Details of(PatientData d) {
            return new Details(d.addresses(), d.phones(), d.emails(), d.contacts(), d.preferredPhysician(), d.coverage());
        }
    }

    /** What a version keeps: the whole record as it became. */
    record Snapshot(PatientStatus status, Long mergedInto, PatientData data) {
    }

    Optional<Patient> find(long id) {
        return jdbc.sql("select " + COLUMNS + " from patient where id = ?").param(id).query(this::map).optional();
    }

    long nextId() {
        return jdbc.sql("select nextval('patient_id_seq')").query(Long.class).single();
    }

    void insert(long id, int facilityId, String ipp, PatientData d, Instant now) {
        jdbc.sql("""
                        insert into patient (id, facility_id, ipp, version, status, birth_family_name, used_name, given_names,
                            birth_date, sex, birthplace_code, ins_matricule, ins_oid, identity_status, coverage_nir, details,
                            family_key, used_key, given_key, created_at, updated_at)
                        values (:id, :facility, :ipp, 1, 'ACTIVE', :family, :used, :given, :birthDate, :sex, :birthplace,
                            :ins, :insOid, :identityStatus, :coverageNir, cast(:details as json), :familyKey, :usedKey,
                            :givenKey, :now, :now)""")
                .params(dataParams(d))
                .param("id", id).param("facility", facilityId).param("ipp", ipp).param("now", Timestamp.from(now))
                .update();
    }

    /** Returns false when the record changed since {@code expectedVersion}. */
    boolean update(long id, int expectedVersion, PatientData d, Instant now) {
        return jdbc.sql("""
                        update patient set version = version + 1, birth_family_name = :family, used_name = :used,
                            given_names = :given, birth_date = :birthDate, sex = :sex, birthplace_code = :birthplace,
                            ins_matricule = :ins, ins_oid = :insOid, identity_status = :identityStatus,
                            coverage_nir = :coverageNir, details = cast(:details as json), family_key = :familyKey,
                            used_key = :usedKey, given_key = :givenKey, updated_at = :now
                         where id = :id and version = :expected""")
                .params(dataParams(d))
                .param("id", id).param("expected", expectedVersion).param("now", Timestamp.from(now))
                .update() == 1;
    }

    boolean changeStatus(long id, int expectedVersion, PatientStatus status, Long mergedInto, Instant now) {
        return jdbc.sql("""
                        update patient set version = version + 1, status = ?, merged_into = ?, updated_at = ?
                         where id = ? and version = ?""")
                .param(status.name()).param(mergedInto).param(Timestamp.from(now)).param(id).param(expectedVersion)
                .update() == 1;
    }

    void recordVersion(Patient p, Long authorId, String reason, Instant now) {
        jdbc.sql("""
                        insert into patient_version (patient_id, version, facility_id, recorded_at, author_id, reason, snapshot)
                        values (?, ?, ?, ?, ?, ?, cast(? as json))""")
                .param(p.id()).param(p.version()).param(p.facilityId()).param(Timestamp.from(now)).param(authorId)
                .param(reason).param(json.writeValueAsString(new Snapshot(p.status(), p.mergedInto(), p.data())))
                .update();
    }

    List<PatientVersion> history(long id, int limit) {
        return jdbc.sql("""
                        select patient_id, version, recorded_at, author_id, reason, snapshot::text as snapshot
                          from patient_version where patient_id = ? order by version desc limit ?""")
                .param(id).param(limit)
                .query((rs, n) -> {
                    Snapshot s = json.readValue(rs.getString("snapshot"), Snapshot.class);
                    return new PatientVersion(rs.getLong("patient_id"), rs.getInt("version"),
                            rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("author_id"),
                            rs.getString("reason"), s.status(), s.mergedInto(), s.data());
                })
                .list();
    }

    private static String pattern(String key, PatientSearchQuery.Match match) {
        return switch (match) {
            case PREFIX -> escapeLike(key) + "%";
            // Equal keys (case and accents aside); the service keeps the names written exactly so.
            case EXACT -> escapeLike(key);
            case CONTAINS -> "%" + escapeLike(key) + "%";
        };
    }

    /** Name-prefix search over birth and used names, each branch walking its index in order. */
    List<PatientSearchResult> searchByName(Collection<Integer> facilities, String nameKey, String givenKey,
                                           LocalDate birthDate, LocalDate bornFrom, LocalDate bornTo,
                                           LocalDate notBornFrom, LocalDate notBornTo, int limit) {
        return searchByName(facilities, nameKey, PatientSearchQuery.Match.PREFIX, givenKey, PatientSearchQuery.Match.PREFIX, birthDate,
                bornFrom, bornTo, notBornFrom, notBornTo, limit);
    }

    /** The same, the family and given name keys matched as {@code nameMatch} and {@code givenMatch} say. */
    List<PatientSearchResult> searchByName(Collection<Integer> facilities, String nameKey, PatientSearchQuery.Match nameMatch,
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
                .param("facilities", facilities.toArray(Integer[]::new))
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

    List<PatientSearchResult> searchByIns(Collection<Integer> facilities, String ins, int limit) {
        return jdbc.sql("select " + SUMMARY_COLUMNS + " from patient where facility_id = any(?)"
                        + " and (ins_matricule = ? or coverage_nir = ?) order by status, id limit ?")
                .param(facilities.toArray(Integer[]::new)).param(ins).param(ins).param(limit)
                .query(PatientRepository::summary).list();
    }

    List<PatientSearchResult> searchByIpp(Collection<Integer> facilities, String ipp, int limit) {
        return jdbc.sql("select " + SUMMARY_COLUMNS + " from patient where facility_id = any(?) and ipp = ? limit ?")
                .param(facilities.toArray(Integer[]::new)).param(ipp).param(limit)
                .query(PatientRepository::summary).list();
    }

    List<Patient> activeWithIns(int facilityId, String ins) {
        return jdbc.sql("select " + COLUMNS + " from patient where facility_id = ? and ins_matricule = ? and status = 'ACTIVE'")
                .param(facilityId).param(ins).query(this::map).list();
    }

    List<Patient> activeBornOn(int facilityId, LocalDate birthDate, int limit) {
        return jdbc.sql("select " + COLUMNS + " from patient where facility_id = ? and birth_date = ? and status = 'ACTIVE' limit ?")
                .param(facilityId).param(Date.valueOf(birthDate)).param(limit).query(this::map).list();
    }

    List<Patient> activeNamed(int facilityId, String familyKey, String firstGivenKey, int limit) {
        return jdbc.sql("select " + COLUMNS + " from patient where facility_id = ? and family_key = ? and given_key like ?"
                        + " and status = 'ACTIVE' limit ?")
                .param(facilityId).param(familyKey).param(escapeLike(firstGivenKey) + "%").param(limit)
                .query(this::map).list();
    }

    long insertMerge(int facilityId, long survivorId, long mergedId, long authorId, String reason, Instant now) {
        return jdbc.sql("""
                        insert into patient_merge (facility_id, survivor_id, merged_id, merged_at, merged_by, reason)
                        values (?, ?, ?, ?, ?, ?) returning id""")
                .param(facilityId).param(survivorId).param(mergedId).param(Timestamp.from(now)).param(authorId).param(reason)
                .query(Long.class).single();
    }

    Optional<PatientMerge> findMerge(long id) {
        return jdbc.sql("select * from patient_merge where id = ?").param(id).query(PatientRepository::merge).optional();
    }

    List<PatientMerge> mergesOf(long patientId) {
        return jdbc.sql("select * from patient_merge where survivor_id = ? or merged_id = ? order by merged_at desc limit 100")
                .param(patientId).param(patientId).query(PatientRepository::merge).list();
    }

    boolean markMergeUndone(long mergeId, long authorId, String reason, Instant now) {
        return jdbc.sql("update patient_merge set undone_at = ?, undone_by = ?, undo_reason = ? where id = ? and undone_at is null")
                .param(Timestamp.from(now)).param(authorId).param(reason).param(mergeId).update() == 1;
    }

    private Map<String, Object> dataParams(PatientData d) {
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
                Map.entry("details", json.writeValueAsString(Details.of(d))),
                Map.entry("familyKey", NameKeys.of(d.birthFamilyName())),
                Map.entry("usedKey", d.usedName() == null ? NULL_TEXT : NameKeys.of(d.usedName())),
                Map.entry("givenKey", NameKeys.of(d.givenNames())));
    }

    private static final Object NULL_TEXT = new org.springframework.jdbc.core.SqlParameterValue(java.sql.Types.VARCHAR, null);

    private static Object nullable(String s) {
        return s == null ? NULL_TEXT : s;
    }

    static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private Patient map(ResultSet rs, int row) throws SQLException {
        Details details = json.readValue(rs.getString("details"), Details.class);
        PatientData data = new PatientData(rs.getString("birth_family_name"), rs.getString("used_name"),
                rs.getString("given_names"), rs.getObject("birth_date", LocalDate.class), Sex.valueOf(rs.getString("sex")),
                rs.getString("birthplace_code"), rs.getString("ins_matricule"), rs.getString("ins_oid"),
                IdentityStatus.valueOf(rs.getString("identity_status")), details.addresses(), details.phones(),
                details.emails(), details.contacts(), details.preferredPhysician(), details.coverage());
        return new Patient(rs.getLong("id"), rs.getInt("facility_id"), rs.getString("ipp"), rs.getInt("version"),
                PatientStatus.valueOf(rs.getString("status")), (Long) rs.getObject("merged_into"), data,
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static PatientMerge merge(ResultSet rs, int row) throws SQLException {
        Timestamp undone = rs.getTimestamp("undone_at");
        return new PatientMerge(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("survivor_id"), rs.getLong("merged_id"),
                rs.getTimestamp("merged_at").toInstant(), rs.getLong("merged_by"), rs.getString("reason"),
                undone == null ? null : undone.toInstant(), (Long) rs.getObject("undone_by"), rs.getString("undo_reason"));
    }

    void raiseReview(int facilityId, long patientId, DuplicateCandidate c, String source, long raisedBy, Instant now) {
        jdbc.sql("""
                        insert into duplicate_review (facility_id, patient_id, candidate_id, reason, score, source, raised_by, raised_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (patient_id, candidate_id) do nothing""")
                .param(facilityId).param(patientId).param(c.id()).param(c.reason().name()).param(c.score()).param(source)
                .param(raisedBy).param(Timestamp.from(now)).update();
    }

    /** Open reviews of these facilities, oldest first. */
    List<DuplicateReview> openReviews(Collection<Integer> facilities, int limit) {
        return jdbc.sql("""
                        select id, facility_id, patient_id, candidate_id, reason, score, source, raised_at from duplicate_review
                         where outcome is null and facility_id = any(?) order by raised_at, id limit ?""")
                .param(facilities.toArray(Integer[]::new)).param(limit)
                .query((rs, n) -> new DuplicateReview(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                        rs.getLong("candidate_id"), DuplicateCandidate.Reason.valueOf(rs.getString("reason")), rs.getDouble("score"),
                        rs.getString("source"), rs.getTimestamp("raised_at").toInstant(), null, null))
                .list();
    }

    Optional<DuplicateReview> openReview(long id) {
        return jdbc.sql("""
                        select id, facility_id, patient_id, candidate_id, reason, score, source, raised_at from duplicate_review
                         where id = ? and outcome is null""")
                .param(id)
                .query((rs, n) -> new DuplicateReview(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                        rs.getLong("candidate_id"), DuplicateCandidate.Reason.valueOf(rs.getString("reason")), rs.getDouble("score"),
                        rs.getString("source"), rs.getTimestamp("raised_at").toInstant(), null, null))
                .optional();
    }

    boolean resolveReview(long id, DuplicateReview.Outcome outcome, long by, String resolution, Instant now) {
        return jdbc.sql("update duplicate_review set outcome = ?, resolved_by = ?, resolved_at = ?, resolution = ? where id = ? and outcome is null")
                .param(outcome.name()).param(by).param(Timestamp.from(now)).param(resolution).param(id).update() == 1;
    }

    /** A merge of the two records settles every open review of the pair, whichever way round it was raised. */
    void resolveReviewsOfPair(long a, long b, long by, String resolution, Instant now) {
        jdbc.sql("""
                        update duplicate_review set outcome = 'MERGED', resolved_by = ?, resolved_at = ?, resolution = ?
                         where outcome is null and ((patient_id = ? and candidate_id = ?) or (patient_id = ? and candidate_id = ?))""")
                .param(by).param(Timestamp.from(now)).param(resolution).param(a).param(b).param(b).param(a).update();
    }

    List<PatientLabel> labels(Collection<Long> ids, Collection<Integer> facilities) {
        return jdbc.sql("select id, ipp, coalesce(nullif(used_name, ''), birth_family_name) as family, given_names, birth_date, sex"
                        + " from patient where id = any(?) and facility_id = any(?)")
                .param(ids.toArray(Long[]::new)).param(facilities.toArray(Integer[]::new))
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
