package org.dossier.support;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A proof whose tools are missing fails and says how to have them; it never skips. */
class PgClientToolsTest {

    @Test
    void aMissingToolFailsTheTestSayingToRunTheScript(@org.junit.jupiter.api.io.TempDir Path empty) {
        assertThatThrownBy(() -> PgClientTools.tool(empty, "pg_dump")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("pg_dump is missing: run bin/pg-client-tools");
    }

    @Test
    void theScriptGivesTheTools() {
        assertThat(PgClientTools.tool(PgClientTools.bin(), "pg_basebackup")).endsWith("pg_basebackup");
    }
}
