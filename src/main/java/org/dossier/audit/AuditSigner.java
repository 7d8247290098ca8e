package org.dossier.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Signs audit checkpoints and witness lines. The key comes from {@code DOSSIER_AUDIT_SIGNING_KEY}
 * ("&lt;PKCS#8 private key, base64&gt;.&lt;X.509 public key, base64&gt;", Ed25519, made by {@code bin/audit-keygen}), or from a
 * PKCS#11 token ({@code dossier.audit.pkcs11.config}: a SunPKCS11 configuration file; the token's key never leaves it,
 * see {@link Pkcs11Key}) — never both — or, in development only, from a key generated once into the audit directory,
 * outside the data directory (see {@link AuditFiles}): PostgreSQL must not be able to read it. The public key, exported with the checkpoints, lets anyone
 * check them without access to the server.
 */
@Component
public class AuditSigner {

    private static final Logger log = LoggerFactory.getLogger(AuditSigner.class);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Provider provider;
    private final String algorithm;
    private final String keyId;

    AuditSigner(@Value("${dossier.audit.signing-key:}") String configured, AuditFiles files,
                @Value("${dossier.audit.pkcs11.config:}") String pkcs11Config, @Value("${dossier.audit.pkcs11.pin:}") String pkcs11Pin,
                @Value("${dossier.audit.pkcs11.alias:}") String pkcs11Alias, @Value("${dossier.profile}") String profile) {
        if (!configured.isBlank() && !pkcs11Config.isBlank()) {
            // Whichever won, an operator who believes the key is in the token could be signing with one that can be copied.
            throw new IllegalStateException("Both DOSSIER_AUDIT_SIGNING_KEY and DOSSIER_AUDIT_PKCS11_CONFIG are set: the audit signing key"
                    + " comes from one of them; unset the other");
        }
        if (!pkcs11Config.isBlank()) {
            Pkcs11Key token = Pkcs11Key.load(pkcs11Config, pkcs11Pin, pkcs11Alias);
            this.privateKey = token.privateKey();
            this.publicKey = token.publicKey();
            this.provider = token.provider();
        } else {
            String material;
            if (!configured.isBlank()) {
                material = configured.strip();
            } else if ("production".equals(profile)) {
                throw new IllegalStateException("DOSSIER_AUDIT_SIGNING_KEY (an Ed25519 key pair: generate one with bin/audit-keygen) or "
                        + "DOSSIER_AUDIT_PKCS11_CONFIG (a PKCS#11 token) is required in production");
            } else {
                material = readOrCreate(files.keyFile(), files.dataDir().resolve("audit-signing.key"));
            }
            try {
                String[] parts = material.split("\\.");
                KeyFactory factory = KeyFactory.getInstance("Ed25519");
                this.privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[0])));
                this.publicKey = factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts[1])));
            } catch (GeneralSecurityException | ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IllegalStateException("Cannot load the audit signing key", e);
            }
            this.provider = null;
        }
        this.algorithm = algorithmOf(publicKey);
        try {
            this.keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded())).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        log.info("Audit checkpoints are signed with {} by {} (key id {})", algorithm,
                provider == null ? (configured.isBlank() ? "the development key " + files.keyFile() : "the key of DOSSIER_AUDIT_SIGNING_KEY")
                        : "the PKCS#11 token of " + pkcs11Config, keyId);
    }

    /** A new key pair in the form DOSSIER_AUDIT_SIGNING_KEY expects. */
    public static String newKeyMaterial() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "."
                    + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String keyId() {
        return keyId;
    }

    /** The signature algorithm: Ed25519 for a key from the environment, what the token's key calls for with PKCS#11. */
    String algorithm() {
        return algorithm;
    }

    /** The public key (X.509, base64), to keep outside the database with exported checkpoints. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    String sign(long seq, String headHash, String signedAt) {
        return signBytes(payload(seq, headHash, signedAt));
    }

    String signBytes(byte[] data) {
        try {
            Signature s = provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
            s.initSign(privateKey);
            s.update(data);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with the audit key", e);
        }
    }

    /** Checks a checkpoint signature against a public key (base64 X.509): ours, or one kept elsewhere. */
    public static boolean verify(String publicKeyBase64, long seq, String headHash, String signedAt, String signature) {
        return verifyBytes(publicKeyBase64, payload(seq, headHash, signedAt), signature);
    }

    static boolean verifyBytes(String publicKeyBase64, byte[] data, String signature) {
        if (signature == null) {
            return false;
        }
        try {
            PublicKey key = decodePublicKey(publicKeyBase64);
            Signature s = Signature.getInstance(algorithmOf(key));
            s.initVerify(key);
            s.update(data);
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static PublicKey decodePublicKey(String base64) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(Base64.getDecoder().decode(base64));
        GeneralSecurityException last = null;
        for (String type : new String[]{"Ed25519", "EC", "RSA"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The signature algorithm a public key calls for; an algorithm the audit does not sign with is refused. */
    static String algorithmOf(PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("no audit signature algorithm for a " + key.getAlgorithm() + " key");
        };
    }

    static byte[] payload(long seq, String headHash, String signedAt) {
        return ("dossier-audit-checkpoint|" + seq + "|" + headHash + "|" + signedAt).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The development key: read, or generated once. A key left inside the data directory by an older version is moved
     * out, so that the checkpoints it signed still verify and PostgreSQL can no longer read it there.
     */
    private static String readOrCreate(Path file, Path legacy) {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file) && Files.exists(legacy)) {
                Files.move(legacy, file);
                log.warn("Moved the development audit signing key out of the data directory, to {}", file);
            }
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String material = newKeyMaterial();
            Files.writeString(file, material, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return material;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the audit signing key " + file, e);
        }
    }
}
