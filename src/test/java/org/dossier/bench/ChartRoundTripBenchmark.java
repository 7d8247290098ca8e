package org.dossier.bench;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.care.SchedulingService;
import org.dossier.care.StayService;
import org.dossier.chart.ChartService;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.NoteService;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.ProblemService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.patient.PatientService;
import org.dossier.platform.FacilityScope;
import org.dossier.prescribing.PrescriptionService;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The chart summary under a decision (no gateway, no audit), its sections read one statement and one round trip each as
 * before ADR 0043 ("one by one": the same services' per-section reads, in one read-only transaction) against the
 * sections sent together ({@link ChartService#summary(PatientAccess)}), alternated A/B in one JVM on the same patients,
 * so that the shared machine's noise falls on both. Not part of the suite: run it with
 * {@code ./mvnw test -Dtest=ChartRoundTripBenchmark -Dexcluded.groups=none}.
 */
@Tag("benchmark")
class ChartRoundTripBenchmark extends IntegrationTest {

    private static final int PATIENTS = 20;
    private static final int ROUNDS = 7;
    private static final int READS = 2_000;

    @Autowired ChartService charts;
    @Autowired OrganizationService organization;
    @Autowired PatientService patients;
    @Autowired StayService stays;
    @Autowired SchedulingService scheduling;
    @Autowired AllergyService allergies;
    @Autowired ProblemService problems;
    @Autowired PrescriptionService prescriptions;
    @Autowired ObservationService observations;
    @Autowired NoteService notes;
    @Autowired PlatformTransactionManager transactions;

    @Test
    void oneByOneAgainstTogether() {
        Fixtures f = fixtures();
        Actor actor = Actor.of(organization.staffByUsername("physician").orElseThrow(), null, "127.0.0.1", "benchmark",
                Actor.Channel.SYSTEM, null);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < PATIENTS; i++) {
            ids.add(patientWithRecord(f, 3));
        }
        FacilityScope.set(actor.facilityIds());
        try {
            List<PatientAccess> decided = ids.stream().map(id -> charts.open(actor, id)).toList();
            TransactionTemplate readOnly = new TransactionTemplate(transactions);
            readOnly.setReadOnly(true);
            Consumer<PatientAccess> oneByOne = a -> readOnly.executeWithoutResult(s -> oneByOne(a));
            Consumer<PatientAccess> together = charts::summary;
            List<Double> a = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            time(oneByOne, decided, READS);
            time(together, decided, READS);
            for (int round = 0; round < ROUNDS; round++) {
                // Which goes first alternates too, so that neither always follows the other.
                if (round % 2 == 0) {
                    a.add(time(oneByOne, decided, READS));
                    b.add(time(together, decided, READS));
                } else {
                    b.add(time(together, decided, READS));
                    a.add(time(oneByOne, decided, READS));
                }
            }
            System.out.printf("BENCHMARK chart summary under a decision, median µs per read per round: one by one %s (median %.1f),"
                    + " together %s (median %.1f)%n", a, median(a), b, median(b));
        } finally {
            FacilityScope.clear();
        }
    }

    /** What ChartService.summary(PatientAccess) did before ADR 0043, section by section. */
    private void oneByOne(PatientAccess access) {
        patients.read(access);
        stays.current(access);
        allergies.ofPatient(access, true);
        problems.ofPatient(access, true);
        prescriptions.ofPatient(access, true);
        observations.latest(access);
        scheduling.upcoming(access, 5);
        notes.ofPatient(access, 5);
        if (!access.permits(Section.CLINICAL)) {
            throw new IllegalStateException("the benchmark's physician must see the clinical sections");
        }
    }

    /** The median time of one read, in microseconds, over {@code n} reads cycling through the patients. */
    private static double time(Consumer<PatientAccess> read, List<PatientAccess> decided, int n) {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            read.accept(decided.get(i % decided.size()));
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return Math.round(nanos[n / 2] / 100.0) / 10.0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private long patientWithRecord(Fixtures f, int n) {
        long patient = f.patient();
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"), "attendingId", f.staffId("physician"),
                "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "heart failure"));
        Api doc = as("physician");
        for (int i = 0; i < n; i++) {
            doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Substance " + (char) ('A' + i), "severity", "MILD"));
            doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I5" + i, "label", "Problem " + i));
            doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Drug " + i, "dose", "1", "route", "ORAL",
                    "frequency", "daily"));
            doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 60 + i));
            long note = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "Day " + i, "body", "..."))
                    .json().get("id").asLong();
            doc.post("/api/notes/" + note + "/sign", Map.of("version", 1));
        }
        return patient;
    }
}
