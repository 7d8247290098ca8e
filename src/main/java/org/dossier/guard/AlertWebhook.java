package org.dossier.guard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Posts each alert as JSON to {@code dossier.guard.webhook-url} (a pager, a chat room, a SOAR), without making the request wait. */
@Component
class AlertWebhook {

    private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);

    private final String url;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AlertWebhook(@Value("${dossier.guard.webhook-url:}") String url, JsonMapper json) {
        this.url = url;
        this.json = json;
    }

    void send(Map<String, Object> alert) {
        if (url.isBlank()) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(alert))).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null) {
                log.error("Alert webhook {} failed: {}", url, error.getMessage());
            } else if (response.statusCode() >= 300) {
                log.error("Alert webhook {} answered {}", url, response.statusCode());
            }
        });
    }
}
