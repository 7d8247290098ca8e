package org.dossier.audit;

import org.dossier.support.GuardedServerTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Every committed entry reaches an external collector as RFC 5424 syslog over TCP, here a listener of the test. */
class SyslogForwardingTest extends GuardedServerTest {

    @Test
    void aChartReadArrivesAtTheCollectorAsAnRfc5424MessageWithItsChainHash() throws Exception {
        long patient = fixtures().patientInCare();
        as("physician").get("/api/patients/" + patient + "/chart");
        String hash = jdbc.sql("select hash from audit_entry where patient_id = ? and actor_username = 'physician' order by seq desc limit 1")
                .param(patient).query(String.class).single();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String message = null;
        while (message == null && System.nanoTime() < deadline) {
            message = SYSLOG.stream().filter(m -> m.contains("hash=\"" + hash + "\"")).findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertThat(message).as("received: " + SYSLOG.size() + " messages").isNotNull();
        assertThat(message).matches("<10[89]>1 \\d{4}-\\d\\d-\\d\\dT[^ ]+Z \\S+ dossier - read \\[dossier@32473 .*\\] ALLOW read patient "
                + patient + " by physician");
        assertThat(message).contains("patient=\"" + patient + "\"", "reason=\"CARE_TEAM\"", "decision=\"ALLOW\"", "purpose=\"TREAT\"");
    }

    @org.springframework.beans.factory.annotation.Autowired
    AuditTrail trail;

    @Test
    void aSignedCheckpointReachesTheCollectorAsTheWitnessLineItself() throws Exception {
        long seq = trail.checkpointNow().seq();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String message = null;
        while (message == null && System.nanoTime() < deadline) {
            message = SYSLOG.stream().filter(m -> m.contains(" dossier - checkpoint - ") && m.contains("\"seq\":" + seq + ",")).findFirst()
                    .orElse(null);
            Thread.sleep(50);
        }
        assertThat(message).as("received: " + SYSLOG.size() + " messages").isNotNull();
        assertThat(message).matches("<109>1 \\S+ \\S+ dossier - checkpoint - \\{\"v\":1,\"type\":\"checkpoint\".*\"lineSig\":\"[^\"]+\"\\}");
    }
}
