package org.dossier.identity;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Until multi-factor login lands: nothing but health and the API description answers without credentials. */
class HttpAccessTest extends IntegrationTest {

    @Test
    void healthAndTheOpenApiDocumentArePublic() {
        assertThat(anonymous().get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
        Api.Response docs = anonymous().get("/api/docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/api/patients")).isTrue();
    }

    @Test
    void everythingElseNeedsValidCredentials() {
        for (String path : new String[]{"/api/me", "/api/patients/1", "/api/patients?ipp=100000001", "/api/staff", "/api/facilities",
                "/actuator/env", "/api/patients/1/history"}) {
            assertThat(anonymous().get(path).status()).as(path).isEqualTo(401);
            assertThat(anonymous().as("physician", "wrong-password-123").get(path).status()).as(path).isEqualTo(401);
            assertThat(anonymous().as("nobody-here", "wrong-password-123").get(path).status()).as(path).isEqualTo(401);
        }
    }

    @Test
    void theCallerIsTheAccountBehindTheCredentials() {
        Api.Response me = as("nurse").get("/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("username").asString()).isEqualTo("nurse");
        assertThat(me.json().get("roles").get(0).asString()).isEqualTo("NURSE");
    }

    @Test
    void aSuspendedAccountCannotSignIn() {
        long id = jdbc.sql("select id from staff where username = 'billing'").query(Long.class).single();
        int version = jdbc.sql("select version from staff where id = ?").param(id).query(Integer.class).single();
        Api.Response suspended = as("admin").post("/api/staff/" + id + "/status",
                java.util.Map.of("version", version, "status", "SUSPENDED", "reason", "left the hospital"));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        try {
            assertThat(as("billing").get("/api/me").status()).isEqualTo(401);
        } finally {
            as("admin").post("/api/staff/" + id + "/status",
                    java.util.Map.of("version", version + 1, "status", "ACTIVE", "reason", "back"));
        }
        assertThat(as("billing").get("/api/me").status()).isEqualTo(200);
    }
}
