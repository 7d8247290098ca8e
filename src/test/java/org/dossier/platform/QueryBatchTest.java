package org.dossier.platform;

import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.RoundTripCounter;
import org.dossier.support.StatementCounter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Several modules' queries in one round trip: each gets its own rows, in order, under the same row-level security. */
class QueryBatchTest extends IntegrationTest {

    @Autowired
    QueryBatches batches;

    private long patientWithAllergies(Fixtures f, int n) {
        long patient = f.patientInCare();
        for (int i = 0; i < n; i++) {
            as("physician").post("/api/patients/" + patient + "/allergies", Map.of("substance", "Substance " + (char) ('A' + i),
                    "severity", List.of("MILD", "MODERATE", "SEVERE").get(i)));
        }
        return patient;
    }

    private static SqlQuery<List<String>> substances(long patient) {
        // the substance is sealed (ADR 0051): the severity, in clear, tells the rows apart
        return SqlQuery.list("select severity from allergy where patient_id = ? order by id", (rs, n) -> rs.getString(1), patient);
    }

    @Test
    void eachQueryGetsItsOwnRowsInOneRoundTrip() {
        Fixtures f = fixtures();
        long one = patientWithAllergies(f, 2);
        long other = patientWithAllergies(f, 1);
        FacilityScope.set(List.of(1));
        try {
            batches.start().run();
            StatementCounter.reset();
            RoundTripCounter.Counted<List<Object>> read = RoundTripCounter.count(() -> {
                QueryBatch batch = batches.start();
                Deferred<List<String>> first = batch.add(substances(one));
                Deferred<Long> count = batch.add(new SqlQuery<>("select count(*) from allergy where patient_id = ?", List.of(other), rs -> {
                    rs.next();
                    return rs.getLong(1);
                }));
                Deferred<List<String>> last = batch.add(substances(other)).map(l -> l.stream().map(String::toLowerCase).toList());
                batch.run();
                return List.of(first.get(), count.get(), last.get());
            });
            assertThat(read.result()).containsExactly(List.of("MILD", "MODERATE"), 1L, List.of("mild"));
            assertThat(StatementCounter.count()).isEqualTo(1);
            assertThat(read.roundTrips()).isEqualTo(1);
        } finally {
            FacilityScope.clear();
        }
    }

    @Test
    void rowLevelSecurityHoldsForEveryQueryOfTheBatch() {
        long patient = patientWithAllergies(fixtures(), 2);
        for (List<Integer> scope : List.of(List.of(1), List.of(2))) {
            FacilityScope.set(scope);
            try {
                QueryBatch batch = batches.start();
                Deferred<List<String>> first = batch.add(substances(patient));
                Deferred<List<String>> second = batch.add(substances(patient));
                batch.run();
                int seen = scope.contains(1) ? 2 : 0;
                assertThat(first.get()).hasSize(seen);
                assertThat(second.get()).hasSize(seen);
            } finally {
                FacilityScope.clear();
            }
        }
    }

    @Test
    void anAnswerIsThereOnlyOnceTheBatchHasRunAndAQueryIsOneStatement() {
        QueryBatch batch = batches.start();
        Deferred<List<String>> early = batch.add(substances(1));
        assertThatThrownBy(early::get).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SqlQuery.list("select 1; delete from allergy", (rs, n) -> 1))
                .isInstanceOf(IllegalArgumentException.class);
        FacilityScope.set(List.of(1));
        try {
            batch.run();
        } finally {
            FacilityScope.clear();
        }
        assertThat(early.get()).isEmpty();
        assertThatThrownBy(batch::run).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> batch.add(substances(1))).isInstanceOf(IllegalStateException.class);
    }
}
