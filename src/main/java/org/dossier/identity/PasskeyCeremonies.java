package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.web.webauthn.api.AttestationConveyancePreference;
import org.springframework.security.web.webauthn.api.AuthenticationExtensionsClientInputs;
import org.springframework.security.web.webauthn.api.AuthenticatorAttachment;
import org.springframework.security.web.webauthn.api.AuthenticatorSelectionCriteria;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialDescriptor;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialParameters;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Keeps the challenge of a passkey registration in the session between its two requests. Sessions live
 * in PostgreSQL and are serialised, but Spring Security's creation options are not serialisable, so they
 * are kept as plain values and rebuilt. (Sign-in options are serialisable and need no help.)
 */
final class PasskeyCeremonies {

    private static final String CREATION = "dossier.passkey.creation";

    private record Creation(String rpId, String rpName, PublicKeyCredentialUserEntity user, Bytes challenge, List<Long> algorithms,
                            Duration timeout, List<PublicKeyCredentialDescriptor> exclude, String attachment, String residentKey,
                            String userVerification, String attestation, AuthenticationExtensionsClientInputs extensions)
            implements Serializable {
    }

    private PasskeyCeremonies() {
    }

    /** Registration: the creation options between /webauthn/register/options and /webauthn/register. */
    static final class Registrations implements PublicKeyCredentialCreationOptionsRepository {

        @Override
        public void save(HttpServletRequest request, HttpServletResponse response, PublicKeyCredentialCreationOptions o) {
            HttpSession session = request.getSession();
            if (o == null) {
                session.removeAttribute(CREATION);
                return;
            }
            AuthenticatorSelectionCriteria s = o.getAuthenticatorSelection();
            session.setAttribute(CREATION, new Creation(o.getRp().getId(), o.getRp().getName(), o.getUser(), o.getChallenge(),
                    o.getPubKeyCredParams().stream().map(p -> p.getAlg().getValue()).toList(), o.getTimeout(),
                    o.getExcludeCredentials() == null ? List.of() : new ArrayList<>(o.getExcludeCredentials()),
                    s == null || s.getAuthenticatorAttachment() == null ? null : s.getAuthenticatorAttachment().getValue(),
                    s == null || s.getResidentKey() == null ? null : s.getResidentKey().getValue(),
                    s == null || s.getUserVerification() == null ? null : s.getUserVerification().getValue(),
                    o.getAttestation() == null ? null : o.getAttestation().getValue(), o.getExtensions()));
        }

        @Override
        public PublicKeyCredentialCreationOptions load(HttpServletRequest request) {
            HttpSession session = request.getSession(false);
            Object stored = session == null ? null : session.getAttribute(CREATION);
            if (!(stored instanceof Creation c)) {
                return null;
            }
            AuthenticatorSelectionCriteria.AuthenticatorSelectionCriteriaBuilder selection = AuthenticatorSelectionCriteria.builder();
            if (c.attachment() != null) {
                selection.authenticatorAttachment(constant(AuthenticatorAttachment.class, c.attachment(), AuthenticatorAttachment::getValue));
            }
            if (c.residentKey() != null) {
                selection.residentKey(constant(ResidentKeyRequirement.class, c.residentKey(), ResidentKeyRequirement::getValue));
            }
            if (c.userVerification() != null) {
                selection.userVerification(constant(UserVerificationRequirement.class, c.userVerification(), UserVerificationRequirement::getValue));
            }
            return PublicKeyCredentialCreationOptions.builder()
                    .rp(PublicKeyCredentialRpEntity.builder().id(c.rpId()).name(c.rpName()).build())
                    .user(c.user())
                    .challenge(c.challenge())
                    .pubKeyCredParams(c.algorithms().stream()
                            .map(alg -> constant(PublicKeyCredentialParameters.class, alg, p -> p.getAlg().getValue())).toList())
                    .timeout(c.timeout())
                    .excludeCredentials(c.exclude())
                    .authenticatorSelection(selection.build())
                    .attestation(c.attestation() == null ? null
                            : constant(AttestationConveyancePreference.class, c.attestation(), AttestationConveyancePreference::getValue))
                    .extensions(c.extensions())
                    .build();
        }
    }

    /** The library's constant of {@code type} whose value is {@code value} (these types offer no factory). */
    private static <T, V> T constant(Class<T> type, V value, Function<T, V> valueOf) {
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == type) {
                try {
                    T candidate = type.cast(f.get(null));
                    if (Objects.equals(valueOf.apply(candidate), value)) {
                        return candidate;
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("No " + type.getSimpleName() + " with value " + value);
    }

}
