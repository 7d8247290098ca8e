package org.dossier.audit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * {@code bin/audit-verify}: starts without the web server, recomputes the chain and the signed checkpoints, compares the
 * database with the witness file, prints the report and exits 0 when the trail is intact, 1 when it is not (naming the
 * first entry or witness line that fails). It writes nothing: no entry, no checkpoint, no witness line.
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
        int code = verifyAndPrint(System.out);
        System.exit(SpringApplication.exit(context, () -> code));
    }

    /** The verification and its printout: 0 when the trail is intact, 1 when not. */
    int verifyAndPrint(java.io.PrintStream out) {
        AuditVerifier.Report report = verifier.verify();
        out.println(report.intact()
                ? "Audit trail intact: " + report.entriesChecked() + " entries and " + report.checkpointsChecked()
                  + " signed checkpoints verified in " + report.millis() + " ms (" + report.entriesPerSecond() + " entries/s)"
                : "AUDIT TRAIL BROKEN at entry " + report.firstBrokenSeq() + ": " + report.problem());
        out.println("Compared with the witness " + report.witness());
        report.warnings().forEach(w -> out.println("Warning: " + w));
        out.println("Checkpoint public key (keep a copy elsewhere): " + report.publicKey());
        return report.intact() ? 0 : 1;
    }
}
