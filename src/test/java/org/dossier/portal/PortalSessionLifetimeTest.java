package org.dossier.portal;

import org.dossier.organization.Role;
import org.dossier.platform.UnauthorizedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.core.context.SecurityContextHolder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A patient's portal session ends 12 hours after its sign-in, however active, as a staff session does (ADR 0039). */
class PortalSessionLifetimeTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
        org.dossier.platform.FacilityScope.clear();
    }

    @Test
    void aSessionOlderThanTwelveHoursActsForNoOneAndAYoungerOneActsAsThePatientOnTheirOwnRecord() {
        // The account's own check (still active, no code issued since the sign-in) reads the database: PortalAttackTest covers it.
        PortalAccounts accounts = new PortalAccounts(null, null, null, null, null, Clock.fixed(NOW, ZoneOffset.UTC), null, null, null, null, null, null) {
            @Override
            public boolean sessionValid(PortalPrincipal p) {
                return true;
            }
        };
        PortalSessions sessions = new PortalSessions(accounts, Clock.fixed(NOW, ZoneOffset.UTC));

        signedIn(NOW.minus(Duration.ofHours(13)));
        assertThatThrownBy(() -> sessions.actor(new MockHttpServletRequest())).isInstanceOf(UnauthorizedException.class);
        assertThat(SecurityContextHolder.getContext().getAuthentication()).isNull();

        signedIn(NOW.minus(Duration.ofHours(1)));
        var actor = sessions.actor(new MockHttpServletRequest());
        assertThat(actor.roles()).containsExactly(Role.PATIENT);
        assertThat(actor.patientScope()).isEqualTo(42L);
        assertThat(actor.staffId()).isEqualTo(-7L);
        assertThat(actor.facilityIds()).containsExactly(1);
    }

    @Test
    void aDownloadAsksForTheCodeAgainFiveMinutesAfterTheLastOneTypedAsAStaffStepUpDoes() {
        PortalAccounts accounts = new PortalAccounts(null, null, null, null, null, Clock.fixed(NOW, ZoneOffset.UTC), null, null, null, null, null, null) {
            @Override
            public boolean sessionValid(PortalPrincipal p) {
                return true;
            }
        };
        PortalSessions sessions = new PortalSessions(accounts, Clock.fixed(NOW, ZoneOffset.UTC));
        MockHttpServletRequest request = new MockHttpServletRequest();

        signedIn(NOW.minus(Duration.ofMinutes(4)));
        assertThat(sessions.recentlyConfirmed(request)).as("the sign-in's code, 4 minutes ago").isTrue();
        signedIn(NOW.minus(Duration.ofMinutes(6)));
        assertThat(sessions.recentlyConfirmed(request)).as("the sign-in's code, 6 minutes ago").isFalse();
        request.getSession(true).setAttribute(PortalSessions.CONFIRMED_AT, NOW.minus(Duration.ofMinutes(2)));
        assertThat(sessions.recentlyConfirmed(request)).as("confirmed again 2 minutes ago").isTrue();
        request.getSession().setAttribute(PortalSessions.CONFIRMED_AT, NOW.minus(Duration.ofMinutes(7)));
        assertThat(sessions.recentlyConfirmed(request)).as("confirmed again 7 minutes ago").isFalse();
        SecurityContextHolder.clearContext();
        assertThat(sessions.recentlyConfirmed(request)).as("no patient signed in").isFalse();
    }

    private static void signedIn(Instant at) {
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(PortalSecurity.signedIn(new PortalPrincipal(7, "portal-account-7", 42, 1, at)));
        SecurityContextHolder.setContext(context);
    }
}
