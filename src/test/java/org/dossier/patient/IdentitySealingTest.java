package org.dossier.patient;

import org.dossier.patient.bulk.IdentitySealing;
import org.dossier.platform.crypto.PatientKeys;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry row written before V57 holds its identity in clear and no blind-index tokens: read, but found by no search.
 * The background job seals it with the patient's key, gives it its tokens and empties the clear columns; after it, the
 * row is found again and nothing of the identity is left in clear. A shredded patient's row, whose key is gone, is
 * emptied instead. The birthplace is written sealed with the rest (V73); a row written before V73, whose birthplace alone
 * is in clear, has it sealed (or, shredded, emptied) by the same job.
 */
class IdentitySealingTest extends IntegrationTest {

    /** Ajaccio: an INSEE code whose letter a dump's hexadecimal (lower case) cannot hold by chance. */
    private static final String BIRTHPLACE = "2A004";
    private static final String BIRTHPLACE_SHOWN = "\"birthplaceCode\":\"" + BIRTHPLACE + "\"";

    @Autowired
    IdentitySealing sealing;
    @Autowired
    PatientKeys patientKeys;
    @Autowired
    org.dossier.platform.crypto.BlindIndex index;
    @Autowired
    @Qualifier("owner")
    DataSource owner;

    @Test
    void aRowWrittenBeforeV57IsSealedGivenItsTokensAndFoundAgain() {
        long patient = registered("Anciennerangee", "Odile", "1962-05-17");
        PatientRows.Identity before = identity(patient);
        String search = "/api/patients?name=Anci&given=Odi&birthDate=1962-05-17";
        assertThat(as("frontdesk").get(search).body()).as("found while sealed").contains("\"id\":" + patient);

        asWrittenBeforeV57(patient, before);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).as("a clear row still reads").contains("Anciennerangee");
        assertThat(as("frontdesk").get(search).body()).as("but no search finds it").doesNotContain("\"id\":" + patient);
        assertThat(sealing.remaining()).isGreaterThanOrEqualTo(1);

        assertThat(sealing.work(50)).isGreaterThanOrEqualTo(1);

        assertThat(sealing.remaining()).isZero();
        Map<String, Object> row = ownerJdbc().sql("""
                        select ipp, birth_family_name, given_names, birth_date, ins_matricule, coverage_nir, family_key, given_key,
                               birthplace_code, sealed_ipp is not null and sealed_birthplace_code is not null as sealed,
                               cardinality(search_tokens) as tokens from patient where id = ?""")
                .param(patient).query().singleRow();
        assertThat(row).containsEntry("ipp", null).containsEntry("birth_family_name", null).containsEntry("given_names", null)
                .containsEntry("birth_date", null).containsEntry("ins_matricule", null).containsEntry("coverage_nir", null)
                .containsEntry("family_key", null).containsEntry("given_key", null).containsEntry("birthplace_code", null)
                .containsEntry("sealed", true);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).as("the birthplace, opened").contains(BIRTHPLACE_SHOWN);
        assertThat(((Number) row.get("tokens")).intValue()).isGreaterThan(10);
        assertThat(identity(patient)).as("the same identity, opened").isEqualTo(before);
        assertThat(as("frontdesk").get(search).body()).as("found again").contains("\"id\":" + patient);
        assertThat(as("frontdesk").get("/api/patients?ipp=" + before.ipp()).body()).as("by its IPP").contains("\"id\":" + patient);
        int facility = jdbc.sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        assertThat(ownerJdbc().sql("select ? = any(search_tokens) from patient where id = ?")
                .param(index.token(facility, PatientRows.PHONE, "0639981234")).param(patient).query(Boolean.class).single())
                .as("its phone's token, read from its sealed details (what duplicate detection matches)").isTrue();
    }

    @Test
    void aShreddedPatientsClearRowIsEmptiedNotSealed() {
        long patient = registered("Effaceeavant", "Rose", "1955-02-03");
        PatientRows.Identity before = identity(patient);
        int facility = jdbc.sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        asWrittenBeforeV57(patient, before);
        assertThat(patientKeys.shred(facility, patient, Instant.now())).isTrue();

        sealing.work(50);

        PatientRows.Identity after = identity(patient);
        assertThat(after.birthFamilyName()).isEqualTo("(erased)");
        assertThat(after.ipp()).doesNotContain(before.ipp());
        Api.Response read = as("frontdesk").get("/api/patients/" + patient);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain("Effaceeavant").doesNotContain(before.ipp()).doesNotContain(BIRTHPLACE);
        assertThat(copyOut(patient)).doesNotContain(BIRTHPLACE);
        assertThat(sealing.remaining()).isZero();
    }

    @Test
    void theBirthplaceIsWrittenSealedAndARowWrittenBeforeV73HasItSealedByTheJob() {
        long patient = registered("Corsebirth", "Maria", "1971-09-30");
        assertThat(copyOut(patient)).as("the row, as a dump holds it").isNotEmpty().doesNotContain(BIRTHPLACE);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).as("shown as before").contains(BIRTHPLACE_SHOWN);
        PatientRows.Identity before = identity(patient);

        birthplaceAsWrittenBeforeV73(patient);
        assertThat(copyOut(patient)).contains(BIRTHPLACE);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).as("a clear birthplace still reads").contains(BIRTHPLACE_SHOWN);
        assertThat(sealing.remaining()).isGreaterThanOrEqualTo(1);

        assertThat(sealing.work(50)).isGreaterThanOrEqualTo(1);

        assertThat(sealing.remaining()).isZero();
        assertThat(copyOut(patient)).doesNotContain(BIRTHPLACE);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).contains(BIRTHPLACE_SHOWN);
        assertThat(identity(patient)).as("the rest of the identity untouched").isEqualTo(before);
        assertThat(as("frontdesk").get("/api/patients?name=Corseb&given=Mar&birthDate=1971-09-30").body()).as("and still found")
                .contains("\"id\":" + patient);
    }

    @Test
    void aShreddedPatientsClearBirthplaceIsEmptiedNotSealed() {
        long patient = registered("Corseeffacee", "Livia", "1948-11-02");
        int facility = jdbc.sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        birthplaceAsWrittenBeforeV73(patient);
        assertThat(patientKeys.shred(facility, patient, Instant.now())).isTrue();

        sealing.work(50);

        assertThat(sealing.remaining()).isZero();
        assertThat(copyOut(patient)).doesNotContain(BIRTHPLACE);
        Api.Response read = as("frontdesk").get("/api/patients/" + patient);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(BIRTHPLACE);
    }

    private long registered(String family, String given, String birthDate) {
        Map<String, Object> identity = PatientJson.provisional(family, given, birthDate, "F");
        identity.put("birthplaceCode", BIRTHPLACE);
        Api.Response created = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, identity));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asLong();
    }

    /** The row as a server before V57 wrote it: the identity and the old search keys in clear, nothing sealed, no tokens. */
    private void asWrittenBeforeV57(long patient, PatientRows.Identity d) {
        ownerJdbc().sql("""
                        update patient set ipp = ?, birth_family_name = ?, used_name = ?, given_names = ?, birth_date = ?,
                            ins_matricule = ?, coverage_nir = ?, family_key = upper(?), given_key = upper(?), sealed_ipp = null,
                            sealed_birth_family_name = null, sealed_used_name = null, sealed_given_names = null,
                            sealed_birth_date = null, sealed_ins_matricule = null, sealed_coverage_nir = null, search_tokens = null
                         where id = ?""")
                .param(d.ipp()).param(d.birthFamilyName()).param(d.usedName()).param(d.givenNames()).param(d.birthDate())
                .param(d.insMatricule()).param(d.coverageNir()).param(d.birthFamilyName()).param(d.givenNames()).param(patient)
                .update();
        birthplaceAsWrittenBeforeV73(patient);
    }

    /** The birthplace as a server before V73 wrote it: in clear. */
    private void birthplaceAsWrittenBeforeV73(long patient) {
        ownerJdbc().sql("update patient set birthplace_code = ?, sealed_birthplace_code = null where id = ?").param(BIRTHPLACE)
                .param(patient).update();
    }

    /** What a dump holds of the patient's row. */
    private String copyOut(long patient) {
        return org.dossier.support.OwnerCopy.of(owner, "select * from patient where id = " + patient);
    }

    private JdbcClient ownerJdbc() {
        return JdbcClient.create(owner);
    }
}
