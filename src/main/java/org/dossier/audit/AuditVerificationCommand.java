package org.dossier.audit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * {@code bin/audit-verify}: starts without the web server, recomputes the chain and the signed checkpoints,
 * prints the report and exits 0 when the trail is intact, 1 when it is not (naming the first entry that fails).
 */
@Component
class AuditVerificationCommand implements ApplicationRunner {

    private final AuditVerifier verifier;
    private final ApplicationContext context;
    private final boolean enabled;

    AuditVerificationCommand(AuditVerifier verifier, ApplicationContext context,
                             @Value("${dossier.audit.verify-and-exit:false}") boolean enabled) {
        this.verifier = verifier;
        this.context = context;
        this.enabled = enabled;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!enabled) {
            return;
        }
        AuditVerifier.Report report = verifier.verify();
        System.out.println(report.intact()
                ? "Audit trail intact: " + report.entriesChecked() + " entries and " + report.checkpointsChecked()
                  + " signed checkpoints verified in " + report.millis() + " ms (" + report.entriesPerSecond() + " entries/s)"
                : "AUDIT TRAIL BROKEN at entry " + report.firstBrokenSeq() + ": " + report.problem());
        System.out.println("Checkpoint public key (keep a copy elsewhere): " + report.publicKey());
        int code = report.intact() ? 0 : 1;
        System.exit(SpringApplication.exit(context, () -> code));
    }
}
