package org.dossier.support;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A passkey in software, as a browser and a platform authenticator would produce one: a P-256 key pair,
 * a "none" attestation built with webauthn4j's data classes, and ES256 assertions signed by the JDK.
 */
public final class SoftwareAuthenticator {

    public static final String RP_ID = "localhost";
    public static final String ORIGIN = "http://localhost:8080";

    private final KeyPair keys;
    private final byte[] credentialId = new byte[32];
    private final ObjectConverter converter = new ObjectConverter();
    private long signCount;

    public SoftwareAuthenticator() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            keys = generator.generateKeyPair();
            new SecureRandom().nextBytes(credentialId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body of POST /webauthn/register answering the creation options. */
    public Map<String, Object> register(JsonNode options, String label) {
        byte[] clientData = clientData("webauthn.create", options.get("challenge").asString());
        AttestedCredentialData credential = new AttestedCredentialData(new AAGUID(new byte[16]), credentialId,
                EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> data = new AuthenticatorData<>(sha256(RP_ID), (byte) 0x45, 0, credential);
        byte[] attestation = new AttestationObjectConverter(converter).convertToBytes(new AttestationObject(data, new NoneAttestationStatement()));
        return Map.of("publicKey", Map.of("label", label, "credential", Map.of(
                "id", b64(credentialId), "rawId", b64(credentialId), "type", "public-key", "authenticatorAttachment", "platform",
                "clientExtensionResults", Map.of("credProps", Map.of("rk", true)),
                "response", Map.of("attestationObject", b64(attestation), "clientDataJSON", b64(clientData), "transports", List.of("internal")))));
    }

    /** The body of POST /login/webauthn answering the request options, for the user handle of the registration. */
    public Map<String, Object> assertion(JsonNode options, String userHandle, boolean tamper) {
        try {
            byte[] clientData = clientData("webauthn.get", options.get("challenge").asString());
            byte[] authData = new AuthenticatorDataConverter(converter).convert(
                    new AuthenticatorData<AuthenticationExtensionAuthenticatorOutput>(sha256(RP_ID), (byte) 0x05, ++signCount));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(authData);
            signer.update(MessageDigest.getInstance("SHA-256").digest(clientData));
            byte[] signature = signer.sign();
            if (tamper) {
                signature[signature.length - 1] ^= 0x01;
            }
            return Map.of("id", b64(credentialId), "rawId", b64(credentialId), "type", "public-key", "authenticatorAttachment", "platform",
                    "clientExtensionResults", Map.of(),
                    "response", Map.of("authenticatorData", b64(authData), "clientDataJSON", b64(clientData), "signature", b64(signature),
                            "userHandle", userHandle));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] clientData(String type, String challenge) {
        return ("{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + ORIGIN + "\",\"crossOrigin\":false}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
