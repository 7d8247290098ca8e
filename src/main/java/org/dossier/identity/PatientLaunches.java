package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

import java.io.IOException;
import java.util.List;

/**
 * Which sign-in may authorize an app (ADR 0045). The authorization endpoint reads, for an app registered for patients,
 * the portal's security context only — a patient who signed in with both factors, named by their portal account — and,
 * for any other app, the staff context only. So a staff session never authorizes a patient's app (it is not even seen),
 * and a patient's session never authorizes a staff app: each is, for the other, not signed in.
 */
final class PatientLaunches implements SecurityContextRepository {

    static final String PATIENT_ROLE = "ROLE_PATIENT";
    /** The authority of a patient's sign-in as the authorization endpoint sees it (the portal's two factors passed). */
    static final String PORTAL_SIGN_IN = "FACTOR_PORTAL_SIGN_IN";
    private static final String DECIDED = PatientLaunches.class.getName() + ".patient";

    private final SmartTokens tokens;
    private final ObjectProvider<PatientSignIns> patients;
    private final SecurityContextRepository staff = new DelegatingSecurityContextRepository(
            new RequestAttributeSecurityContextRepository(), new HttpSessionSecurityContextRepository());

    PatientLaunches(SmartTokens tokens, ObjectProvider<PatientSignIns> patients) {
        this.tokens = tokens;
        this.patients = patients;
    }

    /** Whether this request is an authorization request (or consent) of an app for patients; decided once per request. */
    boolean isPatientLaunch(HttpServletRequest request) {
        if (request.getAttribute(DECIDED) instanceof Boolean known) {
            return known;
        }
        boolean patient = SmartAuthorizationServer.AUTHORIZE_PATH.equals(request.getRequestURI())
                && tokens.forPatients(request.getParameter("client_id"));
        request.setAttribute(DECIDED, patient);
        return patient;
    }

    @Override
    public org.springframework.security.core.context.DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
        if (!isPatientLaunch(request)) {
            return staff.loadDeferredContext(request);
        }
        PatientSignIns signIns = patients.getIfAvailable();
        var portal = signIns == null ? null : signIns.contexts().loadDeferredContext(request);
        return new org.springframework.security.core.context.DeferredSecurityContext() {
            @Override
            public SecurityContext get() {
                Authentication a = portal == null ? null : portal.get().getAuthentication();
                return signIns == null || a == null ? SecurityContextHolder.createEmptyContext() : asPatient(signIns, a);
            }

            @Override
            public boolean isGenerated() {
                return portal == null || portal.isGenerated();
            }
        };
    }

    /** The patient as the authorization server keeps them: their portal account's name and plain authorities, nothing more. */
    private static SecurityContext asPatient(PatientSignIns signIns, Authentication portal) {
        // The sign-in's time travels as a factor authority: the id token's auth_time is read from it.
        return signIns.signedIn(portal).<SecurityContext>map(s -> new SecurityContextImpl(UsernamePasswordAuthenticationToken.authenticated(
                        SmartTokens.PORTAL_PRINCIPAL + s.holder().accountId(), null, List.of(new SimpleGrantedAuthority(PATIENT_ROLE),
                                FactorGrantedAuthority.withAuthority(PORTAL_SIGN_IN).issuedAt(s.at()).build()))))
                .orElseGet(SecurityContextHolder::createEmptyContext);
    }

    @Override
    @SuppressWarnings("deprecation")
    public SecurityContext loadContext(HttpRequestResponseHolder holder) {
        return loadDeferredContext(holder.getRequest()).get();
    }

    @Override
    public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
        if (!isPatientLaunch(request)) {
            staff.saveContext(context, request, response);
        }
        // A patient's context is the portal's to keep: the authorization endpoint never writes it.
    }

    @Override
    public boolean containsContext(HttpServletRequest request) {
        return isPatientLaunch(request) ? patients.getIfAvailable() != null && patients.getObject().contexts().containsContext(request)
                : staff.containsContext(request);
    }

    /** The authorization endpoint's redirect to the consent page, sent to the portal's consent page instead of the staff one. */
    static HttpServletResponse consentInThePortal(HttpServletResponse response) {
        return new HttpServletResponseWrapper(response) {
            @Override
            public void sendRedirect(String location) throws IOException {
                super.sendRedirect(location.replace("/smart/consent?", "/portal/apps/consent?"));
            }
        };
    }
}
