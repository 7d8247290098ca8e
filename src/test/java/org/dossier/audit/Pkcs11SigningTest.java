package org.dossier.audit;

import org.dossier.support.IntegrationTest;
import org.dossier.support.SoftHsm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole server signing its audit checkpoints with a key in a real PKCS#11 token (SoftHSM2, through the JDK's
 * SunPKCS11), configured as production configures it: DOSSIER_AUDIT_PKCS11_CONFIG, _PIN and _ALIAS. The token is made
 * the way docs/security/access-and-audit.md tells an operator to; the public key is the one keytool exports from it.
 */
@ExtendWith(SoftHsm.Required.class)
class Pkcs11SigningTest extends IntegrationTest {

    private static final String PIN = SoftHsm.PIN;
    private static final String ALIAS = SoftHsm.AUDIT_ALIAS;

    /** The server's token: the audit key, and a second key that a careless configuration left extractable. */
    private static SoftHsm.Token token;
    /** Another token, never logged in to by this JVM with its PIN (SoftHsm.Suite). */
    private static SoftHsm.Token other;
    private static String exportedPublicKey;

    @Autowired
    AuditSigner signer;
    @Autowired
    AuditTrail trail;
    @Autowired
    AuditVerificationCommand command;
    @Autowired
    AuditWitness witness;
    @Autowired
    AuditFiles files;

    /** Before the server starts (and before anything in this JVM loads SoftHSM2, which reads its tokens once). */
    @BeforeAll
    static void tokensMadeAsAnOperatorMakesThem() {
        SoftHsm.Suite suite = SoftHsm.suite();
        token = suite.audit();
        other = suite.auditOther();
        exportedPublicKey = suite.auditPublicKey();
    }

    @DynamicPropertySource
    static void theTokenAsProductionConfiguresIt(DynamicPropertyRegistry registry) {
        registry.add("dossier.audit.pkcs11.config", () -> token.config().toString());
        registry.add("dossier.audit.pkcs11.pin", () -> PIN);
        registry.add("dossier.audit.pkcs11.alias", () -> ALIAS);
        registry.add("dossier.demo.patients", () -> "60");
    }

    @Test
    void checkpointsAreSignedInTheTokenAndVerifyWithItsExportedPublicKey() throws Exception {
        trail.append(entries(5));
        assertThat(trail.checkpointNow().signed()).isTrue();
        trail.append(entries(5));
        assertThat(trail.checkpointNow().signed()).isTrue();

        var export = as("security").get("/api/audit/checkpoints");
        assertThat(export.status()).isEqualTo(200);
        JsonNode json = export.json();
        assertThat(json.get("algorithm").asString()).isEqualTo("SHA256withECDSA");
        assertThat(json.get("publicKey").asString()).isEqualTo(exportedPublicKey);
        assertThat(json.get("checkpoints").size()).isGreaterThanOrEqualTo(2);
        PublicKey exported = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(exportedPublicKey)));
        for (JsonNode c : json.get("checkpoints")) {
            long seq = c.get("seq").asLong();
            String hash = c.get("hash").asString(), at = c.get("signedAt").asString(), signature = c.get("signature").asString();
            assertThat(AuditSigner.verify(exportedPublicKey, seq, hash, at, signature)).as("checkpoint " + seq).isTrue();
            // The same check with nothing of ours: the JDK, the exported key and the documented payload.
            Signature plain = Signature.getInstance("SHA256withECDSA");
            plain.initVerify(exported);
            plain.update(("dossier-audit-checkpoint|" + seq + "|" + hash + "|" + at).getBytes(StandardCharsets.UTF_8));
            assertThat(plain.verify(Base64.getDecoder().decode(signature))).as("checkpoint " + seq).isTrue();
            assertThat(AuditSigner.verify(exportedPublicKey, seq + 1, hash, at, signature)).isFalse();
        }
        assertThat(Files.readAllLines(witness.file())).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("\"keyId\":\"" + signer.keyId() + "\""));
    }

    @Test
    void theTrailVerifiesIntactOnlineAndOfflineAgainstItsWitness() {
        trail.append(entries(5));
        assertThat(trail.checkpointNow().signed()).isTrue();
        var online = as("security").get("/api/audit/verification");
        assertThat(online.status()).isEqualTo(200);
        assertThat(online.json().get("intact").asBoolean()).as(online.toString()).isTrue();
        assertThat(online.json().get("publicKey").asString()).isEqualTo(exportedPublicKey);
        assertThat(online.json().get("witness").asString()).contains(witness.file().toString()).contains("checkpoints up to entry");
        trail.stop();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = command.verifyAndPrint(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Audit trail intact").contains("witness file " + witness.file())
                    .contains("Checkpoint public key (keep a copy elsewhere): " + exportedPublicKey);
            assertThat(code).isZero();
        } finally {
            trail.start();
        }
    }

    @Test
    void thePrivateKeyNeverLeavesTheTokenAndNoSoftwareKeyIsMade() {
        Pkcs11Key key = Pkcs11Key.load(token.config().toString(), PIN, ALIAS);
        assertThat(key.privateKey().getEncoded()).as("the token does not reveal the key's value").isNull();
        assertThat(key.privateKey().getClass().getName()).startsWith("sun.security.pkcs11.");
        assertThat(key.privateKey().toString()).contains("token object").contains("sensitive").contains("unextractable")
                .doesNotContain("not sensitive");
        assertThat(signer.publicKeyBase64()).isEqualTo(exportedPublicKey);
        assertThat(signer.algorithm()).isEqualTo("SHA256withECDSA");
        assertThat(files.keyFile()).as("no development key was generated beside the witness").doesNotExist();
    }

    @Test
    void aWrongPinStopsTheStartNamingThePin() {
        assertThatThrownBy(() -> startSigner(other.config().toString(), "135791", ALIAS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the PIN (DOSSIER_AUDIT_PKCS11_PIN)").hasMessageContaining("CKR_PIN_INCORRECT")
                .hasMessageContaining(other.config().toString());
        assertThatThrownBy(() -> startSigner(token.config().toString(), " ", ALIAS))
                .hasMessageContaining("DOSSIER_AUDIT_PKCS11_PIN is required");
    }

    @Test
    void aMissingAliasStopsTheStartNamingTheKeysTheTokenHolds() {
        assertThatThrownBy(() -> startSigner(token.config().toString(), PIN, "audit-2025"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no private key with a certificate under the alias audit-2025 (DOSSIER_AUDIT_PKCS11_ALIAS)")
                .hasMessageContaining(ALIAS).hasMessageContaining("exportable");
        assertThatThrownBy(() -> startSigner(token.config().toString(), PIN, ""))
                .as("two keys and no alias: the server does not pick one")
                .hasMessageContaining("name the audit signing key with DOSSIER_AUDIT_PKCS11_ALIAS");
    }

    @Test
    void aKeyTheTokenLetsBeReadOutIsRefused() {
        assertThatThrownBy(() -> startSigner(token.config().toString(), PIN, "exportable"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The key exportable of the PKCS#11 token").hasMessageContaining("can be read out of the token");
    }

    @Test
    void aMissingConfigurationFileOrATokenBesideAnEnvironmentKeyStopsTheStart() {
        assertThatThrownBy(() -> startSigner(token.config().resolveSibling("missing.cfg").toString(), PIN, ALIAS))
                .hasMessageContaining("DOSSIER_AUDIT_PKCS11_CONFIG names").hasMessageContaining("not a readable SunPKCS11 configuration file");
        assertThatThrownBy(() -> new AuditSigner(AuditSigner.newKeyMaterial(), files, token.config().toString(), PIN, ALIAS, "production"))
                .hasMessageContaining("Both DOSSIER_AUDIT_SIGNING_KEY and DOSSIER_AUDIT_PKCS11_CONFIG are set");
    }

    /** What Spring does at start with these settings, in production. */
    private AuditSigner startSigner(String config, String pin, String alias) {
        return new AuditSigner("", files, config, pin, alias, "production");
    }

    private static List<AuditRecord> entries(int n) {
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(AuditRecord.unstamped().account(7L, "pkcs11-test").roles("PHYSICIAN").facility(1).session("session:p")
                    .from("127.0.0.1", "test").stored("READ", "Patient", Long.toString(100 + i)).patient(100L + i)
                    .stored(AuditRecord.Decision.ALLOW, "CARE_TEAM", "TREAT", "IDENTITY").request("req-p" + i).build());
        }
        return records;
    }
}
