package org.dossier.access;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.PatientJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixture patient with one record of every kind, and the FHIR URLs that name each record, shared by the sweeps that
 * check what an answer shows ({@link ExposureSweepTest}) and what a caller without a reason is refused
 * ({@link FhirEndpointSweepTest}).
 */
final class SweepRecords {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private SweepRecords() {
    }

    /**
     * A patient of facility 1 with one record of every kind, on the physician's and nurse's care team and in a stay of
     * their unit (cardiology), with an appointment, an invoice and a claim; and the demo's own work: the physician's
     * agenda, a consultation practitioner with the fixture's appointment.
     */
    static Map<String, List<String>> records(Function<String, Api> as, Fixtures f, JdbcClient jdbc, String family,
                                             String given) {
        Api desk = as.apply("frontdesk");
        Api doc = as.apply("physician");
        Api clerk = as.apply("billing");
        Api.Response registered = desk.post("/api/patients", PatientJson.reviewed(1, PatientJson.valid(family, given)));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        long patient = registered.json().get("id").asLong();
        f.careFor(patient, "physician", "nurse");
        Map<String, List<String>> ids = new LinkedHashMap<>();
        ids.put("patient", List.of(Long.toString(patient)));
        ids.put("name", List.of(family, given));
        ids.put("ipp", List.of(registered.json().get("ipp").asString()));
        int cardio = f.unit(1, "CARDIO");
        ids.put("unit", List.of(Integer.toString(cardio)));
        ids.put("facility", List.of("1"));
        ids.put("staff", List.of(Long.toString(f.staffId("physician"))));
        ids.put("stay", one(desk.post("/api/stays", Map.of("patientId", patient, "unitId", cardio, "attendingId", f.staffId("physician"),
                "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "dyspnoea"))));
        ids.put("note", one(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b"))));
        ids.put("allergy", one(doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Latex", "severity", "MILD"))));
        ids.put("problem", one(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I50", "label", "heart failure"))));
        ids.put("observation", one(doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 80))));
        ids.put("prescription", one(doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Furosémide", "dose", "40 mg",
                "route", "ORAL", "frequency", "daily"))));
        ids.put("referral", one(doc.post("/api/referrals", Map.of("patientId", patient, "toStaffId", f.staffId("er.physician"),
                "reason", "opinion"))));
        ids.put("careTeamMember", List.of(jdbc.sql("select id from care_team_member where patient_id = ? limit 1").param(patient)
                .query(Long.class).single().toString()));
        ids.put("document", List.of(jdbc.sql("""
                insert into clinical_document (facility_id, patient_id, title, kind, content_type, size_bytes, sha256, content, status,
                                               uploaded_by, version, created_at)
                values (1, ?, 'scan', 'REPORT', 'application/pdf', 4, repeat('0', 64), '\\x25504446', 'CURRENT', ?, 1, now()) returning id""")
                .param(patient).param(f.staffId("physician")).query(Long.class).single().toString()));

        // Procedures and immunizations come only from another system's history: one imported patient holds one of each.
        String history = """
                {"resourceType":"Bundle","type":"batch","entry":[
                 {"fullUrl":"urn:uuid:5e1f0c2a-0000-4000-8000-00000000sw01","request":{"method":"POST","url":"Patient"},
                  "resource":{"resourceType":"Patient","name":[{"use":"official","family":"Sweepova","given":["Ilse"]}],
                              "gender":"female","birthDate":"1966-04-12"}},
                 {"request":{"method":"POST","url":"Procedure"},
                  "resource":{"resourceType":"Procedure","status":"completed",
                              "subject":{"reference":"urn:uuid:5e1f0c2a-0000-4000-8000-00000000sw01"},
                              "code":{"coding":[{"system":"http://snomed.info/sct","code":"80146002"}],"text":"Appendectomy"},
                              "performedDateTime":"2021-06-03T10:15:00+02:00"}},
                 {"request":{"method":"POST","url":"Immunization"},
                  "resource":{"resourceType":"Immunization","status":"completed",
                              "patient":{"reference":"urn:uuid:5e1f0c2a-0000-4000-8000-00000000sw01"},
                              "vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}],"text":"Influenza"},
                              "occurrenceDateTime":"2021-10-01T09:00:00+02:00","primarySource":true}}]}""".replace("sw01", "0001");
        Api.Response importedHistory = as.apply("admin").postRaw("/fhir", "application/fhir+json", history, Map.of("X-Dossier-Facility", "1"));
        assertThat(importedHistory.status()).as(importedHistory.toString()).isEqualTo(200);
        JsonNode historyEntries = importedHistory.json().get("entry");
        long historyPatient = Long.parseLong(historyEntries.get(0).get("response").get("location").asString().replaceAll("^Patient/(\\d+).*$", "$1"));
        f.careFor(historyPatient, "physician", "nurse");
        ids.put("historyPatient", List.of(Long.toString(historyPatient)));
        ids.put("procedure", List.of(historyEntries.get(1).get("response").get("location").asString().replaceAll("^Procedure/(\\d+).*$", "$1")));
        ids.put("immunization", List.of(historyEntries.get(2).get("response").get("location").asString()
                .replaceAll("^Immunization/(\\d+).*$", "$1")));

        // Records other systems send that Dossier keeps as sent (ADR 0026): one imported patient holds one of each type.
        String sentRecords;
        try (var in = SweepRecords.class.getResourceAsStream("/fhir/received-records.json")) {
            sentRecords = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("FAMILY", "Recuvaille");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Api.Response importedRecords = as.apply("admin").postRaw("/fhir", "application/fhir+json", sentRecords, Map.of("X-Dossier-Facility", "1"));
        assertThat(importedRecords.status()).as(importedRecords.toString()).isEqualTo(200);
        long receivedPatient = -1;
        for (JsonNode e : importedRecords.json().get("entry")) {
            String location = e.get("response").has("location") ? e.get("response").get("location").asString() : "";
            if (location.startsWith("Patient/")) {
                receivedPatient = Long.parseLong(location.substring("Patient/".length()));
            } else if (location.matches("[A-Za-z]+/r\\d+")) {
                ids.putIfAbsent("received" + location.substring(0, location.indexOf('/')), List.of(location.substring(location.indexOf('/') + 1)));
            }
        }
        f.careFor(receivedPatient, "physician", "nurse");
        ids.put("receivedPatient", List.of(Long.toString(receivedPatient)));

        LocalDate monday = LocalDate.now(PARIS).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
        long practitioner = f.physician("CONSULT");
        desk.post("/api/practitioners/" + practitioner + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"), "weekday", "MONDAY",
                "startTime", "09:00", "endTime", "10:00", "slotMinutes", 30));
        ids.put("appointment", one(desk.post("/api/appointments", Map.of("patientId", patient, "practitionerId", practitioner,
                "startAt", monday.atTime(LocalTime.of(9, 0)).atZone(PARIS).toInstant().toString(), "reason", "follow-up"))));
        // the demo physician's own agenda (booked today by the demo), and the consultation practitioner's
        ids.put("practitioner", List.of(Long.toString(f.staffId("physician")), Long.toString(practitioner)));
        ids.put("practitionerName", List.of(jdbc.sql("select regexp_replace(display_name, '^.* ', '') from staff where username = 'physician'")
                .query(String.class).single()));

        String invoice = one(clerk.post("/api/invoices", Map.of("patientId", patient, "stayId", Long.parseLong(ids.get("stay").get(0))))).get(0);
        ids.put("invoice", List.of(invoice));
        clerk.post("/api/invoices/" + invoice + "/lines", Map.of("version", 1, "actCode", "ATM"));
        clerk.post("/api/invoices/" + invoice + "/issue", Map.of("version", 2));
        ids.put("claim", one(clerk.post("/api/invoices/" + invoice + "/claims", Map.of())));
        // a health-card read of the patient by the billing office
        String nir = registered.json().at("/data/insMatricule").asString();
        desk.post("/api/patients/" + patient + "/card-reads", Map.of("workstation", "ACCUEIL-01", "cardHolderName", given + " " + family,
                "cardHolderNir", nir, "beneficiaryName", given + " " + family, "beneficiaryRank", 1,
                "rights", Map.of("amoScheme", "01", "amoFund", "691", "amoCentre", "0001", "validFrom", "2026-01-01",
                        "validTo", "2026-12-31", "amcName", "MGEN", "c2s", false, "ald", true)));

        // a second patient of facility 1, restricted at their request, for the security officer's view of a restriction
        long restricted = f.patient();
        jdbc.sql("""
                insert into patient_restriction (patient_id, facility_id, kind, reason, created_by, created_at)
                values (?, 1, 'REQUESTED', 'asked by the patient', (select id from staff where username = 'security'), now())""")
                .param(restricted).update();
        ids.put("restrictedPatient", List.of(Long.toString(restricted)));
        // a third, whose erasure the security officer asked (pending), so that the erasure register shows a patient
        long toErase = f.patient();
        ids.put("erasure", one(as.apply("security").post("/api/patients/" + toErase + "/erasure", Map.of("ground", "RETENTION_ENDED"))));

        List<String> alerts = jdbc.sql("select id::text from guard_alert order by id limit 1").query(String.class).list();
        if (!alerts.isEmpty()) {
            ids.put("alert", alerts);
        } else {
            ids.put("alert", List.of("0"));
        }
        return ids;
    }

    private static List<String> one(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return List.of(r.json().get("id").asString());
    }

    static List<String> fhirUrls(String type, String interaction, Set<String> params, Map<String, List<String>> ids) {
        String patient = ids.get("patient").get(0);
        // Records other systems sent (ADR 0026) belong to the patient of the fixture's import; DocumentReference and CareTeam
        // serve both Dossier's own (the fixture patient's) and the received ones (ids r<n>), so both are swept.
        String received = ids.get("receivedPatient").get(0);
        String id = switch (type) {
            case "Patient", "CareTeam" -> patient;
            case "AllergyIntolerance" -> ids.get("allergy").get(0);
            case "Condition" -> ids.get("problem").get(0);
            case "Observation" -> ids.get("observation").get(0);
            case "MedicationRequest" -> ids.get("prescription").get(0);
            case "Encounter" -> ids.get("stay").get(0);
            case "DocumentReference" -> ids.get("document").get(0);
            case "Procedure" -> ids.get("procedure").get(0);
            case "Immunization" -> ids.get("immunization").get(0);
            case "DiagnosticReport", "CarePlan", "Device", "Provenance", "ImagingStudy", "MedicationAdministration", "SupplyDelivery" ->
                    ids.get("received" + type).get(0);
            case "Coverage" -> patient + "-amo";
            case "Invoice" -> ids.get("invoice").get(0);
            case "PractitionerRole" -> ids.get("staff").get(0) + "-1";
            case "Appointment" -> ids.get("appointment").get(0);
            case "Organization" -> "1";
            case "Location" -> ids.get("unit").get(0);
            case "Practitioner" -> ids.get("staff").get(0);
            case "AuditEvent" -> null;
            default -> "?";
        };
        if ("?".equals(id)) {
            return List.of();
        }
        List<String> instances = new ArrayList<>();
        if (id != null) {
            instances.add(id);
        }
        if (type.equals("DocumentReference") || type.equals("CareTeam")) {
            instances.add(ids.get("received" + type).get(0));
        }
        List<String> patients = ids.containsKey("received" + type) ? List.of(patient, received) : List.of(patient);
        String base = "/fhir/" + type;
        return switch (interaction) {
            case "read" -> instances.stream().map(i -> base + "/" + i).toList();
            case "vread" -> instances.stream().map(i -> base + "/" + i + "/_history/1").toList();
            case "history-instance" -> instances.stream().map(i -> base + "/" + i + "/_history").toList();
            case "history-type" -> List.of(base + "/_history");
            case "search-type" -> {
                List<String> searches = new ArrayList<>();
                if (type.equals("Patient")) {
                    searches.add(base + "?family=" + enc(ids.get("name").get(0)) + "&given=" + enc(ids.get("name").get(1)));
                    searches.add(base + "?identifier=" + ids.get("ipp").get(0));
                } else if (type.equals("AuditEvent")) {
                    String range = "date=ge" + LocalDate.now(PARIS).minusDays(1) + "&date=lt" + LocalDate.now(PARIS).plusDays(1);
                    searches.add(base + "?" + range);
                    searches.add(base + "?" + range + "&patient=Patient/" + patient);
                } else if (type.equals("PractitionerRole")) {
                    searches.add(base + "?practitioner=Practitioner/" + ids.get("staff").get(0));
                } else if (params.contains("patient")) {
                    patients.forEach(p -> searches.add(base + "?patient=Patient/" + p));
                } else if (params.contains("beneficiary")) {
                    searches.add(base + "?beneficiary=Patient/" + patient);
                } else if (params.isEmpty() || type.equals("Organization")) {
                    searches.add(base);
                }
                yield searches;
            }
            default -> List.of();
        };
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
