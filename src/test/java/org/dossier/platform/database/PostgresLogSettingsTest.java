package org.dossier.platform.database;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's PostgreSQL logs no more than the embedded one (issue 22): each node's Patroni configuration, as
 * ops/cluster/up.sh writes it, sets {@link DatabaseConfiguration#LOG_SETTINGS} in its local parameters (which Patroni
 * applies on every start, over the dynamic configuration), so that neither a refused row's DETAIL nor a statement's values
 * reach a log that is copied with the node's disk. {@code RefusedRowLogTest} shows the embedded server runs with them.
 */
class PostgresLogSettingsTest {

    @Test
    void everyClusterNodeLogsAsTheEmbeddedServerDoes() throws Exception {
        List<String> script = Files.readAllLines(Path.of("ops/cluster/up.sh"), StandardCharsets.UTF_8);

        assertThat(localParameters(script)).as("postgresql.parameters of each node's Patroni configuration")
                .containsAllEntriesOf(DatabaseConfiguration.LOG_SETTINGS);
        assertThat(DatabaseConfiguration.LOG_SETTINGS).containsEntry("log_error_verbosity", "terse")
                .containsEntry("log_parameter_max_length", "0").containsEntry("log_parameter_max_length_on_error", "0");
    }

    /** The {@code parameters:} block of the top-level {@code postgresql:} section of the node's YAML (two-space indent). */
    private static Map<String, String> localParameters(List<String> script) {
        int section = script.indexOf("postgresql:");
        assertThat(section).as("the node's local postgresql section").isPositive();
        int block = script.subList(section, script.size()).indexOf("  parameters:") + section;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String line : script.subList(block + 1, script.size())) {
            if (!line.startsWith("    ")) {
                break;
            }
            String entry = line.strip();
            int colon = entry.indexOf(':');
            if (!entry.startsWith("#") && colon > 0) {
                parameters.put(entry.substring(0, colon), entry.substring(colon + 1).strip());
            }
        }
        return parameters;
    }
}
