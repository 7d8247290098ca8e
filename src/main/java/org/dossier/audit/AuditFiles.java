package org.dossier.audit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.file.Path;

/**
 * Where the audit module keeps what the database must not be able to rewrite or read: the witness file and, in
 * development, the generated signing key. Never inside the data directory, where the embedded PostgreSQL's cluster
 * lives: by default a sibling of it ({@code ./data} gives {@code ./data-audit}).
 */
@Component
class AuditFiles {

    private final Path dataDir;
    private final Path dir;
    private final Path witnessFile;

    AuditFiles(@Value("${dossier.data-dir}") String dataDir, @Value("${dossier.audit.dir:}") String dir,
               @Value("${dossier.audit.witness.file:}") String witnessFile) {
        this.dataDir = Path.of(dataDir).toAbsolutePath().normalize();
        this.dir = dir.isBlank() ? this.dataDir.resolveSibling(this.dataDir.getFileName() + "-audit")
                : Path.of(dir).toAbsolutePath().normalize();
        this.witnessFile = witnessFile.isBlank() ? this.dir.resolve("witness.jsonl") : Path.of(witnessFile).toAbsolutePath().normalize();
        requireOutside(this.dir, "DOSSIER_AUDIT_DIR");
        requireOutside(this.witnessFile, "DOSSIER_AUDIT_WITNESS_FILE");
    }

    Path dataDir() {
        return dataDir;
    }

    /** The development signing key, generated on first start. */
    Path keyFile() {
        return dir.resolve("signing.key");
    }

    Path witnessFile() {
        return witnessFile;
    }

    private void requireOutside(Path path, String setting) {
        if (path.startsWith(dataDir)) {
            throw new IllegalStateException(setting + " (" + path + ") must be outside the data directory " + dataDir
                    + ": the database can read and write what is in it");
        }
    }
}
