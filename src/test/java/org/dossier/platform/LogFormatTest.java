package org.dossier.platform;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DOSSIER_LOG_FORMAT as Spring Boot's structured logging reads it (GracefulShutdownTest sees the JSON lines themselves). */
class LogFormatTest {

    private static String formatFor(String value) {
        MockEnvironment env = new MockEnvironment();
        if (value != null) {
            env.setProperty(LogFormat.VARIABLE, value);
        }
        new LogFormat().postProcessEnvironment(env, new SpringApplication());
        return env.getProperty(LogFormat.BOOT_PROPERTY);
    }

    @Test
    void plainTextUnlessAskedForJson() {
        assertThat(formatFor(null)).isNull();
        assertThat(formatFor("")).isNull();
        assertThat(formatFor("text")).isNull();
        assertThat(formatFor("json")).isEqualTo("ecs");
        assertThat(formatFor(" JSON ")).isEqualTo("ecs");
        assertThat(formatFor("logstash")).isEqualTo("logstash");
        assertThat(formatFor("gelf")).isEqualTo("gelf");
    }

    @Test
    void anUnknownFormatStopsTheStart() {
        assertThatThrownBy(() -> formatFor("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DOSSIER_LOG_FORMAT=xml").hasMessageContaining("json");
    }

    @Test
    void bootsOwnSettingWins() {
        MockEnvironment env = new MockEnvironment();
        env.setProperty(LogFormat.VARIABLE, "json");
        env.setProperty(LogFormat.BOOT_PROPERTY, "logstash");
        new LogFormat().postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty(LogFormat.BOOT_PROPERTY)).isEqualTo("logstash");
    }
}
