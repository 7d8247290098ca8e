package org.dossier.audit;

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
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Signs audit checkpoints with Ed25519 (the JDK's implementation). The key pair comes from
 * {@code DOSSIER_AUDIT_SIGNING_KEY} ("&lt;PKCS#8 private key, base64&gt;.&lt;X.509 public key, base64&gt;");
 * in development it is generated once into {@code DOSSIER_DATA_DIR/audit-signing.key}. The public key,
 * exported with the checkpoints, lets anyone check them without access to the server.
 */
@Component
public class AuditSigner {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    AuditSigner(@Value("${dossier.audit.signing-key:}") String configured, @Value("${dossier.data-dir}") String dataDir,
                @Value("${dossier.profile}") String profile) {
        String material;
        if (!configured.isBlank()) {
            material = configured.strip();
        } else if ("production".equals(profile)) {
            throw new IllegalStateException("DOSSIER_AUDIT_SIGNING_KEY is required in production (an Ed25519 key pair: generate one with bin/audit-keygen)");
        } else {
            material = readOrCreate(Path.of(dataDir).resolve("audit-signing.key"));
        }
        try {
            String[] parts = material.split("\\.");
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            this.privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[0])));
            this.publicKey = factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts[1])));
            this.keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded())).substring(0, 16);
        } catch (GeneralSecurityException | ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot load the audit signing key", e);
        }
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

    /** The public key (X.509, base64), to keep outside the database with exported checkpoints. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    String sign(long seq, String headHash, String signedAt) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(payload(seq, headHash, signedAt));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign a checkpoint", e);
        }
    }

    /** Checks a checkpoint signature against a public key (base64 X.509): ours, or one kept elsewhere. */
    public static boolean verify(String publicKeyBase64, long seq, String headHash, String signedAt, String signature) {
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyBase64)));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(payload(seq, headHash, signedAt));
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static byte[] payload(long seq, String headHash, String signedAt) {
        return ("dossier-audit-checkpoint|" + seq + "|" + headHash + "|" + signedAt).getBytes(StandardCharsets.UTF_8);
    }

    private static String readOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(file.getParent());
            String material = newKeyMaterial();
            Files.writeString(file, material, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return material;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the audit signing key " + file, e);
        }
    }
}
