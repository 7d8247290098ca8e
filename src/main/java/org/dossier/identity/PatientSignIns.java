package org.dossier.identity;

import org.springframework.security.core.Authentication;
import org.springframework.security.web.context.SecurityContextRepository;

import java.time.Instant;
import java.util.Optional;

/**
 * What the authorization server needs to know of patients' portal accounts to let a patient's app in (SMART
 * patient-standalone launch, ADR 0045), without identity knowing the portal: the portal implements it (it depends on
 * identity, never the reverse). A patient is never a staff member here either: their sign-in is the portal's (password and
 * authenticator code, under the portal's own session key), and their tokens name a portal account, not a staff account.
 */
public interface PatientSignIns {

    /**
     * A patient's portal account as an app's token acts for it: the one record it opens, in that record's facility;
     * {@code label} names the account in the trail ("portal-account-12"), never by the username the patient chose.
     */
    record Holder(long accountId, String label, long patientId, int facilityId) {
    }

    /** Where the portal keeps a signed-in patient's security context (its own session key, never the staff one). */
    SecurityContextRepository contexts();

    /** A patient signed in to the portal with both factors, and when they gave the second (the OIDC {@code auth_time}). */
    record SignedIn(Holder holder, Instant at) {
    }

    /** The patient this portal authentication signed in with both factors, if it is one and still valid; empty otherwise. */
    Optional<SignedIn> signedIn(Authentication authentication);

    /**
     * The account if it may still hold tokens issued at {@code since}: still the patient's active account (no new
     * enrolment) and no enrolment code issued for the patient after {@code since} (the desk's answer to a lost phone).
     */
    Optional<Holder> live(long accountId, Instant since);

    /**
     * The patient app's authorization request to come back to once the patient signed in to the portal, or null; the
     * cookie the authorization endpoint left is spent. Only ever a path of our own authorization endpoint.
     */
    static String appToReturnTo(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
        return SmartAuthorizationServer.takeReturn(request, response, SmartAuthorizationServer.PATIENT_RETURN_COOKIE);
    }
}
