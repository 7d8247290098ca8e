package org.dossier.platform;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Locale;
import java.util.Map;

/**
 * {@code DOSSIER_LOG_FORMAT=json} turns the console log into one JSON object a line (Spring Boot's structured logging,
 * Elastic Common Schema), each line of a request carrying its {@code requestId} (set in the MDC by the request id filter);
 * unset or {@code text}, the log stays the plain text a developer reads. {@code ecs}, {@code logstash} and {@code gelf}
 * name Boot's formats directly. Runs before the logging system starts (registered in META-INF/spring.factories), so the
 * first line is already in the chosen format; an unknown value stops the start rather than log in a format nobody parses.
 */
public class LogFormat implements EnvironmentPostProcessor {

    static final String VARIABLE = "DOSSIER_LOG_FORMAT";
    static final String BOOT_PROPERTY = "logging.structured.format.console";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String value = environment.getProperty(VARIABLE, "").strip().toLowerCase(Locale.ROOT);
        String format = switch (value) {
            case "", "text", "plain" -> null;
            case "json", "ecs" -> "ecs";
            case "logstash", "gelf" -> value;
            default -> throw new IllegalArgumentException(VARIABLE + "=" + value + " is not a log format: use text (the default), json, "
                    + "ecs, logstash or gelf");
        };
        if (format != null && !environment.containsProperty(BOOT_PROPERTY)) {
            environment.getPropertySources().addLast(new MapPropertySource("dossierLogFormat", Map.of(BOOT_PROPERTY, format)));
        }
    }
}
