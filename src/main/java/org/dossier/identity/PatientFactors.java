package org.dossier.identity;

import org.apache.commons.codec.binary.Base32;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The staff sign-in's building blocks lent to the patient portal (ADR 0039): the same password rules and Argon2id hashing,
 * the same sign-in throttle (its own keys), the same TOTP algorithm with its replay rule. The portal keeps its own
 * accounts and sessions; nothing here opens a staff session or reads a staff credential.
 */
@Component
public class PatientFactors {

    /** The staff screens' content security policy, for the portal's screens too. */
    public static final String CONTENT_SECURITY_POLICY = Pages.CONTENT_SECURITY_POLICY;

    private final PasswordPolicy policy;
    private final PasswordEncoder encoder;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    PatientFactors(PasswordPolicy policy, PasswordEncoder encoder, LoginThrottle throttle, Clock clock) {
        this.policy = policy;
        this.encoder = encoder;
        this.throttle = throttle;
        this.clock = clock;
    }

    /** Why this password is refused (null when it is good), against the names of the person choosing it. */
    public String passwordProblem(String password, List<String> names) {
        return policy.problem(password, names);
    }

    public String hash(String password) {
        return encoder.encode(password);
    }

    public boolean matches(String password, String hash) {
        return password != null && hash != null && encoder.matches(password, hash);
    }

    /**
     * Refuses (429) an attempt too soon after failures of this portal account or address. The portal names the account by
     * a key of its own choosing (a keyed hash of the name typed, never the name: ADR 0058); null: none yet, as at enrolment.
     */
    public void throttle(String accountKey, String address) {
        throttle.check(keys(accountKey, address));
    }

    public void failed(String accountKey, String address) {
        throttle.failed(keys(accountKey, address));
    }

    private static String[] keys(String accountKey, String address) {
        return accountKey == null ? new String[]{addressKey(address)} : new String[]{key(accountKey), addressKey(address)};
    }

    /**
     * The portal faces the internet: its failures from an address count apart from the staff sign-in's ("address:"), so a
     * sweep of the portal from the hospital's NAT or proxy does not make the staff wait (ADR 0039).
     */
    static String addressKey(String address) {
        return "portal-" + LoginThrottle.addressKey(address);
    }

    public void succeeded(String accountKey) {
        throttle.succeeded(key(accountKey));
    }

    /** Portal accounts are throttled under their own keys: a patient's never shares a staff account's count. */
    private static String key(String accountKey) {
        return LoginThrottle.accountKey("portal:" + (accountKey == null ? "" : accountKey));
    }

    /** A new random TOTP secret (160 bits, base32), as the staff enrolment makes. */
    public String newTotpSecret() {
        byte[] raw = new byte[20];
        random.nextBytes(raw);
        return new Base32().encodeAsString(raw).replace("=", "");
    }

    /** The otpauth URI and its QR code (an SVG data URI) an authenticator app scans. */
    public String[] totpEnrolment(String label, String secret) {
        String uri = "otpauth://totp/" + java.net.URLEncoder.encode("Dossier:" + label, StandardCharsets.UTF_8).replace("+", "%20")
                + "?secret=" + secret + "&issuer=Dossier&algorithm=SHA1&digits=6&period=30";
        return new String[]{uri, QrCodes.svgDataUri(uri)};
    }

    /**
     * The time step a code matches (within one step either side), if it is later than {@code lastUsedStep}: the caller stores
     * it so that no code is accepted twice.
     */
    public OptionalLong matchingStep(String secret, String code, long lastUsedStep) {
        if (code == null || !code.strip().matches("\\d{6}")) {
            return OptionalLong.empty();
        }
        byte[] given = code.strip().getBytes(StandardCharsets.US_ASCII);
        long now = clock.instant().getEpochSecond() / TotpService.STEP.getSeconds();
        for (long step = now - 1; step <= now + 1; step++) {
            byte[] expected = TotpService.codeAt(secret, Instant.ofEpochSecond(step * TotpService.STEP.getSeconds()))
                    .getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(expected, given)) {
                return step > lastUsedStep ? OptionalLong.of(step) : OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
