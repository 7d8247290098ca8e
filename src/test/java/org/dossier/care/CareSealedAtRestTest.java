package org.dossier.care;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.LegacyValues;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An appointment's reasons and a referral's reason are sealed at rest with the patient's own key (V67, ADR 0053): a copy
 * of the tables shows none of them, the API shows them as before, a value moved to another row does not open, a row
 * written in clear before V67 is read and then sealed by the rotation job's table, and a shredded patient's reasons read
 * as erased while a new booking for them is refused (409).
 */
class CareSealedAtRestTest extends IntegrationTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final LocalDate NEXT_TUESDAY = LocalDate.now(PARIS).with(TemporalAdjusters.next(DayOfWeek.TUESDAY));

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    List<SealedValues> sealedValues;

    private long practitionerWithTuesdayClinic(Fixtures f) {
        long doctor = f.physician("CONSULT");
        Api.Response s = as("frontdesk").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "TUESDAY", "startTime", "14:00", "endTime", "17:00", "slotMinutes", 20));
        assertThat(s.status()).as(s.toString()).isEqualTo(201);
        return doctor;
    }

    private Api.Response book(long patient, long doctor, LocalTime time, String reason) {
        return as("frontdesk").post("/api/appointments", Map.of("patientId", patient, "practitionerId", doctor,
                "startAt", NEXT_TUESDAY.atTime(time).atZone(PARIS).toInstant().toString(), "reason", reason));
    }

    @Test
    void reasonsAreSealedShownMovedInVainAndErasedWithThePatientsKey() throws Exception {
        Fixtures f = fixtures();
        long doctor = practitionerWithTuesdayClinic(f);
        long patient = f.patientInCare();
        String word = "Sceau" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        Api.Response booked = book(patient, doctor, LocalTime.of(14, 0), "Suivi diabete " + word);
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        long appointment = booked.json().get("id").asLong();
        long second = book(patient, doctor, LocalTime.of(14, 20), "Controle " + word).json().get("id").asLong();
        Api.Response cancelled = as("frontdesk").post("/api/appointments/" + second + "/cancel", Map.of("version", 1,
                "reason", "Hospitalise " + word));
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        Api.Response referral = as("physician").post("/api/referrals", Map.of("patientId", patient, "toUnitId", f.unit(1, "PNEUMO"),
                "reason", "Dyspnee " + word));
        assertThat(referral.status()).as(referral.toString()).isEqualTo(201);

        assertThat(copyOut("select * from appointment where patient_id = " + patient)).as("the appointments, as a dump holds them")
                .isNotEmpty().doesNotContain(word);
        assertThat(copyOut("select * from referral where patient_id = " + patient)).isNotEmpty().doesNotContain(word);
        assertThat(copyOut("select * from care_version where patient_id = " + patient))
                .as("their versions, snapshots and reasons (\"referred: <why>\", \"cancelled: <why>\"), V69").isNotEmpty().doesNotContain(word);
        assertThat(as("frontdesk").get("/api/appointments/" + second + "/history").body()).as("the history still tells them")
                .contains("Hospitalise " + word);

        assertThat(as("frontdesk").get("/api/appointments/" + appointment).body()).contains("Suivi diabete " + word);
        assertThat(as("frontdesk").get("/api/appointments/" + second).body()).contains("Hospitalise " + word);
        assertThat(as("frontdesk").get("/api/practitioners/" + doctor + "/appointments?from=" + NEXT_TUESDAY).body())
                .contains("Suivi diabete " + word);
        assertThat(as("physician").get("/api/patients/" + patient + "/referrals").body()).contains("Dyspnee " + word);

        byte[] reason = jdbc.sql("select sealed_reason from appointment where id = ?").param(appointment).query(byte[].class).single();
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "appointment", "reason", second), reason))
                .as("moved to another row").isInstanceOf(FieldCipher.SealedValueException.class);
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "referral", "reason", appointment), reason))
                .as("moved to another table").isInstanceOf(FieldCipher.SealedValueException.class);

        legacyRowIsReadThenSealedByTheRotationJob(appointment, word);

        shred(patient);
        Api.Response read = as("frontdesk").get("/api/appointments/" + appointment);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(word).contains("(erased)");
        Api.Response referrals = as("physician").get("/api/patients/" + patient + "/referrals");
        assertThat(referrals.status()).as(referrals.toString()).isEqualTo(200);
        assertThat(referrals.body()).doesNotContain(word).contains("(erased)");
        Api.Response agenda = as("frontdesk").get("/api/practitioners/" + doctor + "/appointments?from=" + NEXT_TUESDAY);
        assertThat(agenda.status()).as(agenda.toString()).isEqualTo(200);
        assertThat(book(patient, doctor, LocalTime.of(15, 0), "after the erasure").status()).as("a write for an erased patient")
                .isEqualTo(409);
    }

    @Test
    void aStaysAdmissionReasonAndDischargeDestinationAreSealedShownAndErased() throws Exception {
        Fixtures f = fixtures();
        long patient = f.patientInCare();
        String word = "Sejour" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        Map<String, Object> admission = StayTest.admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"));
        admission.put("reason", "Douleur thoracique " + word);
        Api.Response admitted = as("frontdesk").post("/api/stays", admission);
        assertThat(admitted.status()).as(admitted.toString()).isEqualTo(201);
        long stay = admitted.json().get("id").asLong();
        Api.Response out = as("frontdesk").post("/api/stays/" + stay + "/discharge", Map.of("version", 1,
                "destination", "Maison de repos " + word, "reason", "recovered"));
        assertThat(out.status()).as(out.toString()).isEqualTo(200);

        assertThat(copyOut("select * from stay where patient_id = " + patient)).as("the stays, as a dump holds them")
                .isNotEmpty().doesNotContain(word);
        assertThat(as("frontdesk").get("/api/stays/" + stay).body()).contains("Douleur thoracique " + word)
                .contains("Maison de repos " + word);
        assertThat(as("physician").get("/fhir/Encounter?patient=" + patient).body()).contains("Douleur thoracique " + word);
        byte[] reason = jdbc.sql("select sealed_admission_reason from stay where id = ?").param(stay).query(byte[].class).single();
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "stay", "discharge_destination", stay), reason))
                .as("moved to another column").isInstanceOf(FieldCipher.SealedValueException.class);

        legacyValueIsReadThenSealed("stay", "admission_reason", stay, word, as("frontdesk"), "/api/stays/" + stay);

        shred(patient);
        Api.Response read = as("frontdesk").get("/api/stays/" + stay);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(word).contains("(erased)");
        Api.Response fhir = as("physician").get("/fhir/Encounter?patient=" + patient);
        assertThat(fhir.status()).as(fhir.toString()).isIn(200, 403, 404, 410);
        assertThat(fhir.body()).doesNotContain(word);
        assertThat(as("frontdesk").post("/api/stays", StayTest.admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"))).status())
                .as("an admission of an erased patient").isEqualTo(409);
    }

    @Test
    void aCareTeamMembersRoleIsSealedShownAndErased() throws Exception {
        Fixtures f = fixtures();
        long patient = f.patientInCare();
        String word = "Equipe" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        Api.Response added = as("physician").post("/api/patients/" + patient + "/care-team", Map.of("staffId",
                f.staffId("er.physician"), "role", "Oncologue referent " + word));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        long member = added.json().get("id").asLong();

        assertThat(copyOut("select * from care_team_member where patient_id = " + patient)).as("the care team, as a dump holds it (V71)")
                .isNotEmpty().doesNotContain(word);
        assertThat(copyOut("select * from care_version where patient_id = " + patient)).isNotEmpty().doesNotContain(word);
        assertThat(as("physician").get("/api/patients/" + patient + "/care-team").body()).contains("Oncologue referent " + word);
        assertThat(as("physician").get("/fhir/CareTeam?patient=" + patient).body()).contains("Oncologue referent " + word);
        byte[] role = jdbc.sql("select sealed_role from care_team_member where id = ?").param(member).query(byte[].class).single();
        assertThatThrownBy(() -> cipher.open(FieldCipher.Cell.ofPatient(patient, 1, "referral", "reason", member), role))
                .as("moved to another table").isInstanceOf(FieldCipher.SealedValueException.class);

        legacyValueIsReadThenSealed("care_team_member", "role", member, word, as("physician"), "/api/patients/" + patient + "/care-team");

        shred(patient);
        Api.Response read = as("physician").get("/api/patients/" + patient + "/care-team");
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain(word).contains("(erased)");
    }

    /** A value as written before its column was sealed (in clear) is shown by {@code path}; the rotation job's table then seals it. */
    private void legacyValueIsReadThenSealed(String table, String column, long id, String word, Api reader, String path) throws Exception {
        try (Connection c = owner.getConnection()) {
            c.createStatement().execute("update " + table + " set " + column + " = 'Legacy " + word + "', sealed_" + column
                    + " = null where id = " + id);
        }
        assertThat(reader.get(path).body()).contains("Legacy " + word);
        LegacyValues.seal(sealedValues, cipher, table, id);
        assertThat(copyOut("select * from " + table + " where id = " + id)).doesNotContain(word);
        assertThat(reader.get(path).body()).contains("Legacy " + word);
    }

    /** A row as written before V67 (its reason in clear) reads as before; the rotation job's table then seals it. */
    private void legacyRowIsReadThenSealedByTheRotationJob(long appointment, String word) throws Exception {
        try (Connection c = owner.getConnection()) {
            c.createStatement().execute("update appointment set reason = 'Legacy " + word + "', sealed_reason = null where id = " + appointment);
        }
        assertThat(as("frontdesk").get("/api/appointments/" + appointment).body()).contains("Legacy " + word);
        LegacyValues.seal(sealedValues, cipher, "appointment", appointment);
        assertThat(copyOut("select * from appointment where id = " + appointment)).doesNotContain(word);
        assertThat(as("frontdesk").get("/api/appointments/" + appointment).body()).contains("Legacy " + word);
    }


    private String copyOut(String query) {
        return org.dossier.support.OwnerCopy.of(owner, query);
    }
}
