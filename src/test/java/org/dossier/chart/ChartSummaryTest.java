package org.dossier.chart;

import org.dossier.access.PatientAccess;
import org.dossier.platform.FacilityScope;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.RoundTripCounter;
import org.dossier.support.StatementCounter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChartSummaryTest extends IntegrationTest {

    @Autowired
    ChartService charts;

    @Autowired
    OrganizationService organization;

    /** A patient in cardiology with {@code n} allergies, problems, prescriptions, observations and notes. */
    private long patientWithRecord(Fixtures f, int n) {
        long patient = f.patient();
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"), "attendingId", f.staffId("physician"),
                "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "heart failure"));
        Api doc = as("physician");
        for (int i = 0; i < n; i++) {
            doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Substance " + (char) ('A' + i), "severity", "MILD"));
            doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I5" + (i % 10), "label", "Problem " + i));
            doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Drug " + i, "dose", "1", "route", "ORAL",
                    "frequency", "daily"));
            doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 60 + i));
            doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "LAB", "value", 4 + i, "code", (2000 + i) + "-1",
                    "label", "Lab " + i, "unit", "mmol/L"));
            long note = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "Day " + i, "body", "..."))
                    .json().get("id").asLong();
            doc.post("/api/notes/" + note + "/sign", Map.of("version", 1));
        }
        return patient;
    }

    private Actor physician() {
        StaffMember m = organization.staffByUsername("physician").orElseThrow();
        return Actor.of(m, null, "127.0.0.1", "test", Actor.Channel.SYSTEM, null);
    }

    @Test
    void theSummaryHoldsEverySectionOfTheRecord() {
        Fixtures f = fixtures();
        long patient = patientWithRecord(f, 3);
        JsonNode chart = as("physician").get("/api/patients/" + patient + "/chart").json();
        assertThat(chart.at("/patient/id").asLong()).isEqualTo(patient);
        assertThat(chart.at("/currentStay/movements/0/unitId").asInt()).isEqualTo(f.unit(1, "CARDIO"));
        assertThat(chart.get("allergies")).hasSize(3);
        assertThat(chart.get("activeProblems")).hasSize(3);
        assertThat(chart.get("activePrescriptions")).hasSize(3);
        assertThat(chart.get("latestObservations")).hasSize(4);
        assertThat(chart.get("recentNotes")).hasSize(3);
        assertThat(chart.get("withheld").isEmpty()).isTrue();
    }

    @Test
    void aFrontDeskSeesIdentityAndSchedulingButTheClinicalSectionsAreWithheldWithAReason() {
        Fixtures f = fixtures();
        long patient = patientWithRecord(f, 1);
        JsonNode chart = as("frontdesk").get("/api/patients/" + patient + "/chart").json();
        assertThat(chart.at("/patient/id").asLong()).isEqualTo(patient);
        assertThat(chart.get("allergies").isNull()).isTrue();
        assertThat(chart.get("recentNotes").isNull()).isTrue();
        assertThat(chart.at("/withheld/ALLERGIES").asString()).contains("physicians and nurses");
        assertThat(as("admin").get("/api/patients/" + patient + "/chart").status()).isEqualTo(403);
        assertThat(as("physician.sud").get("/api/patients/" + patient + "/chart").status()).isEqualTo(404);
    }

    @Test
    void theNumberOfQueriesDoesNotGrowWithTheRecord() {
        Fixtures f = fixtures();
        long small = patientWithRecord(f, 1);
        long large = patientWithRecord(f, 12);
        Actor actor = physician();
        FacilityScope.set(actor.facilityIds());

        StatementCounter.reset();
        RoundTripCounter.Counted<ChartSummary> counted = RoundTripCounter.count(() -> charts.summary(actor, small));
        ChartSummary s = counted.result();
        int forSmall = StatementCounter.count();
        StatementCounter.reset();
        ChartSummary l = charts.summary(actor, large);
        int forLarge = StatementCounter.count();

        assertThat(s.allergies()).hasSize(1);
        assertThat(l.allergies()).hasSize(12);
        assertThat(forLarge).isEqualTo(forSmall);
        FacilityScope.clear();
        System.out.println("chart summary with the gateway: " + forSmall + " statements, " + counted.roundTrips() + " round trips: "
                + String.join(" | ", counted.messages()));
        // The decision, the identity, and the other sections together (ADR 0043; 10 statements before it).
        assertThat(forSmall).isEqualTo(3);
    }

    /**
     * After the gateway's decision, the summary reads the identity (its own statement, owned by {@code patient}) and then
     * every other section in one statement of several queries: one round trip, whatever the record holds. The round trips
     * are pgJDBC's Sync messages (see {@link RoundTripCounter}) inside the read-only transaction: the identity, the
     * sections, the commit. Five reads: the first prepares the statements on the server, the next ones reuse them (pgJDBC
     * treats those differently, ADR 0043).
     */
    @Test
    void afterTheDecisionTheSectionsTakeOneRoundTrip() {
        Fixtures f = fixtures();
        long patient = patientWithRecord(f, 2);
        Actor actor = physician();
        FacilityScope.set(actor.facilityIds());
        try {
            PatientAccess access = charts.open(actor, patient);
            charts.summary(access);
            for (int i = 0; i < 8; i++) {
                StatementCounter.reset();
                RoundTripCounter.Counted<ChartSummary> read = RoundTripCounter.count(() -> charts.summary(access));
                System.out.println("chart summary under a decision, read " + (i + 1) + ": " + StatementCounter.count() + " statements, "
                        + read.inTransaction() + " round trips in the transaction (" + read.roundTrips() + " in all): "
                        + String.join(" | ", read.messages()));
                assertThat(StatementCounter.count()).isEqualTo(2);
                assertThat(read.inTransaction()).isEqualTo(3);
                assertThat(read.result().allergies()).hasSize(2);
                assertThat(read.result().recentNotes()).hasSize(2);
                assertThat(read.result().currentStay().movements()).hasSize(1);
            }
        } finally {
            FacilityScope.clear();
        }
    }
}
