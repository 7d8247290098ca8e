package org.dossier.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real PKCS#11 tokens for the tests: SoftHSM2, its tokens under target/softhsm2/, made exactly as an operator makes them
 * (softhsm2-util, then keytool through SunPKCS11, docs/security/access-and-audit.md). SoftHSM2 reads its configuration
 * from {@code SOFTHSM2_CONF} only and runs inside the JVM that loads it, so the pom sets that variable for the tests and
 * the tokens must exist before the library is first loaded. Without SoftHSM2 the tests are skipped with a message; with
 * {@code DOSSIER_REQUIRE_SOFTHSM=true} (set by .ci/run) they fail instead, so that CI never passes by skipping them.
 */
public final class SoftHsm {

    private static final List<Path> LIBRARIES = List.of(Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"), Path.of("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
            Path.of("/usr/local/lib/softhsm/libsofthsm2.so"), Path.of("/usr/lib64/pkcs11/libsofthsm2.so"));
    private static final String SO_PIN = "87654321";
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

    private final Path dir;
    private final Path library;

    private SoftHsm(Path dir, Path library) {
        this.dir = dir;
        this.library = library;
    }

    /** A token with its user PIN and the SunPKCS11 configuration file the server is given. */
    public record Token(String label, long slot, Path config, String pin) {
    }

    /** The user PIN of every token of the suite. */
    public static final String PIN = "246810";
    /** The alias of the audit signing key in the audit tokens. */
    public static final String AUDIT_ALIAS = "dossier-audit";
    /** The aliases of the key-encryption keys in the keys tokens: the current one and the one a rotation moves to. */
    public static final String KEK_ALIAS = "dossier-kek";
    public static final String NEXT_KEK_ALIAS = "dossier-kek-2";

    /**
     * Every token the suite's tests use, made once per JVM before SoftHSM2 is first loaded: the library reads the token
     * directory once, so a token made later is invisible to it (CKR_SLOT_ID_INVALID). {@code audit} holds the audit signing
     * key and an extractable key a careless configuration made; {@code keys} the key-encryption keys and an extractable
     * one; {@code auditOther} and {@code keysOther} are never logged in to with their PIN by this JVM (a PKCS#11 login is
     * per token and process, so a wrong PIN on a token already logged in would not be asked for at all).
     */
    public record Suite(Token audit, Token auditOther, String auditPublicKey, Token keys, Token keysOther) {
    }

    private static Suite suite;

    public static synchronized Suite suite() {
        if (suite == null) {
            SoftHsm hsm = fresh();
            Token audit = hsm.token("dossier-audit", PIN);
            hsm.generateKey(audit, AUDIT_ALIAS);
            hsm.generateExtractableKey(audit, "exportable");
            String publicKey = hsm.exportPublicKey(audit, AUDIT_ALIAS);
            Token other = hsm.token("other", PIN);
            hsm.generateKey(other, AUDIT_ALIAS);
            Token keys = hsm.token("dossier-keys", PIN);
            hsm.generateSecretKey(keys, KEK_ALIAS, false);
            hsm.generateSecretKey(keys, NEXT_KEK_ALIAS, false);
            hsm.generateSecretKey(keys, "exportable-kek", true);
            Token keysOther = hsm.token("keys-other", PIN);
            hsm.generateSecretKey(keysOther, KEK_ALIAS, false);
            suite = new Suite(audit, other, publicKey, keys, keysOther);
        }
        return suite;
    }

    /**
     * On a test class ({@code @ExtendWith(SoftHsm.Required.class)}): skips it, reported as skipped with the reason, when
     * SoftHSM2 is missing (before any server starts), or fails it when {@code DOSSIER_REQUIRE_SOFTHSM=true}.
     */
    public static final class Required implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String problem = problem();
            if (problem == null) {
                return ConditionEvaluationResult.enabled("SoftHSM2 is installed");
            }
            if ("true".equalsIgnoreCase(System.getenv("DOSSIER_REQUIRE_SOFTHSM"))) {
                throw new AssertionError("The PKCS#11 tests need SoftHSM2: " + problem);
            }
            return ConditionEvaluationResult.disabled("SKIPPED PKCS#11 tests: " + problem);
        }
    }

    private static String problem() {
        if (library() == null) {
            return "libsofthsm2.so not found (apt-get install softhsm2)";
        }
        if (!onPath("softhsm2-util")) {
            return "softhsm2-util not on the PATH (apt-get install softhsm2)";
        }
        if (System.getenv("SOFTHSM2_CONF") == null) {
            return "SOFTHSM2_CONF is not set: run the test through Maven (pom.xml sets it for the tests)";
        }
        return null;
    }

    /** An empty SoftHSM2: the configuration file SOFTHSM2_CONF names, and no token yet. */
    private static SoftHsm fresh() {
        Path conf = Path.of(System.getenv("SOFTHSM2_CONF")).toAbsolutePath();
        Path dir = conf.getParent();
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> all = Files.walk(dir)) {
                    all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir.resolve("tokens"));
            Files.writeString(conf, "directories.tokendir = " + dir.resolve("tokens") + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SoftHsm(dir, library());
    }

    /**
     * A new token, and its SunPKCS11 configuration: the library, the slot softhsm2-util assigned, and the attributes that
     * make a key generated through it sensitive and never extractable.
     */
    Token token(String label, String pin) {
        String out = run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", SO_PIN);
        Matcher m = SLOT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("softhsm2-util did not name the token's slot: " + out);
        }
        long slot = Long.parseLong(m.group(1));
        Path config = dir.resolve(label + ".cfg");
        write(config, """
                name = %s
                library = %s
                slot = %d
                attributes(generate, CKO_PRIVATE_KEY, *) = {
                  CKA_SENSITIVE = true
                  CKA_EXTRACTABLE = false
                }
                attributes(generate, CKO_SECRET_KEY, *) = {
                  CKA_SENSITIVE = true
                  CKA_EXTRACTABLE = false
                }
                """.formatted(label, library, slot));
        return new Token(label, slot, config, pin);
    }

    /** An EC P-256 key pair generated inside the token, with a self-signed certificate: the operator's keytool command. */
    void generateKey(Token token, String alias) {
        keytool(token.config(), token.pin(), "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", alias,
                "-dname", "CN=" + alias, "-validity", "3650");
    }

    /** The same, through a configuration that lets anyone with the PIN read the key out of the token: what must be refused. */
    void generateExtractableKey(Token token, String alias) {
        Path careless = dir.resolve(token.label() + "-careless.cfg");
        write(careless, """
                name = %s
                library = %s
                slot = %d
                attributes(*, CKO_PRIVATE_KEY, *) = {
                  CKA_EXTRACTABLE = true
                }
                """.formatted(token.label(), library, token.slot()));
        keytool(careless, token.pin(), "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", alias,
                "-dname", "CN=" + alias, "-validity", "3650");
    }

    /**
     * An AES-256 key generated inside the token, the operator's keytool command (docs/security/encryption.md); with
     * {@code extractable}, through a configuration that lets anyone with the PIN read it: what must be refused.
     */
    void generateSecretKey(Token token, String alias, boolean extractable) {
        Path config = token.config();
        if (extractable) {
            config = dir.resolve(token.label() + "-careless-secret.cfg");
            write(config, """
                    name = %s
                    library = %s
                    slot = %d
                    attributes(*, CKO_SECRET_KEY, *) = {
                      CKA_SENSITIVE = false
                      CKA_EXTRACTABLE = true
                    }
                    """.formatted(token.label(), library, token.slot()));
        }
        keytool(config, token.pin(), "-genseckey", "-keyalg", "AES", "-keysize", "256", "-alias", alias);
    }

    /** The public key (X.509, base64) of the certificate under {@code alias}, exported with keytool as an operator does. */
    String exportPublicKey(Token token, String alias) {
        String pem = keytool(token.config(), token.pin(), "-exportcert", "-rfc", "-alias", alias);
        try {
            var certificate = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return Base64.getEncoder().encodeToString(certificate.getPublicKey().getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException("keytool exported no certificate: " + pem, e);
        }
    }

    private String keytool(Path config, String pin, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-keystore", "NONE", "-storetype", "PKCS11", "-providerClass", "sun.security.pkcs11.SunPKCS11",
                "-providerArg", config.toString(), "-storepass", pin));
        return run(command.toArray(String[]::new));
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path library() {
        return LIBRARIES.stream().filter(Files::isReadable).findFirst().orElse(null);
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
