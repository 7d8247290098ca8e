package org.dossier.identity;

import com.nimbusds.jose.jwk.RSAKey;
import org.dossier.platform.SecretBox;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMART id-token key is kept, not regenerated: another start (or another node) on the same database reads the key
 * this server publishes, private part included, and the database holds only its sealed form.
 */
class SmartSigningKeyTest extends IntegrationTest {

    @Autowired
    private SecretBox box;
    @Autowired
    private Clock clock;

    @Test
    void aSecondStartOnTheSameDataLoadsTheKeyThisServerPublishes() throws Exception {
        JsonNode jwks = anonymous().get("/oauth2/jwks").json();
        RSAKey published = RSAKey.parse(jwks.get("keys").get(0).toString());

        // What a restart, or a second node, does at its first id token.
        RSAKey again = SmartSigningKey.load(jdbc, box, clock);
        RSAKey andAgain = SmartSigningKey.load(jdbc, box, clock);
        assertThat(again.getKeyID()).isEqualTo(published.getKeyID()).isEqualTo(andAgain.getKeyID());
        assertThat(again.toPublicJWK().toJSONObject()).isEqualTo(published.toJSONObject());
        assertThat(again.isPrivate()).isTrue();
        assertThat(jdbc.sql("select count(*) from smart_signing_key").query(Long.class).single()).isEqualTo(1);

        // At rest: the private exponent appears nowhere in clear.
        String row = jdbc.sql("select k::text from smart_signing_key k").query(String.class).single();
        assertThat(row).doesNotContain(again.getPrivateExponent().toString()).doesNotContain("\"d\"");
    }
}
