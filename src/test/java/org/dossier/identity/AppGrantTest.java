package org.dossier.identity;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** SMART scopes as the FHIR facade reads them: v2 permissions, v1 aliases, patient and user contexts, never widening. */
class AppGrantTest {

    private static AppGrant grant(String... scopes) {
        return new AppGrant("app", "a1", Set.of(scopes), 1L);
    }

    @Test
    void v2PermissionsNameTheInteractions() {
        AppGrant g = grant("patient/Observation.rs");
        assertThat(g.reach("Observation", 'r')).isEqualTo(AppGrant.Reach.PATIENT);
        assertThat(g.reach("Observation", 's')).isEqualTo(AppGrant.Reach.PATIENT);
        assertThat(g.reach("Observation", 'c')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(g.reach("Observation", 'u')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(g.reach("Condition", 'r')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(grant("patient/*.cu").reach("Condition", 'u')).isEqualTo(AppGrant.Reach.PATIENT);
        assertThat(grant("patient/*.cu").reach("Condition", 'r')).isEqualTo(AppGrant.Reach.NONE);
    }

    @Test
    void v1AliasesAreAccepted() {
        assertThat(grant("patient/*.read").reach("Patient", 's')).isEqualTo(AppGrant.Reach.PATIENT);
        assertThat(grant("patient/*.read").reach("Patient", 'c')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(grant("user/Observation.write").reach("Observation", 'c')).isEqualTo(AppGrant.Reach.USER);
        assertThat(grant("user/Observation.write").reach("Observation", 'r')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(grant("user/*.*").reach("Encounter", 'd')).isEqualTo(AppGrant.Reach.USER);
    }

    @Test
    void aUserScopeForTheSameTypeAndInteractionIsThePersonsOwnReach() {
        AppGrant g = grant("patient/*.rs", "user/Observation.rs");
        assertThat(g.reach("Observation", 's')).isEqualTo(AppGrant.Reach.USER);
        assertThat(g.reach("Condition", 's')).isEqualTo(AppGrant.Reach.PATIENT);
        assertThat(g.hasPatientScopes()).isTrue();
    }

    @Test
    void otherScopesGrantNothingOnData() {
        AppGrant g = grant("openid", "fhirUser", "launch", "launch/patient", "offline_access", "system/*.rs", "patient/Observation.rs?category=x");
        assertThat(g.reach("Observation", 'r')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(g.reach(null, 's')).isEqualTo(AppGrant.Reach.NONE);
        assertThat(g.hasPatientScopes()).isFalse();
    }

    @Test
    void anAppAsksForItsRegisteredScopesOrNarrowerOnes() {
        assertThat(AppGrant.covers("patient/*.rs", "patient/Observation.rs")).isTrue();
        assertThat(AppGrant.covers("patient/*.rs", "patient/Observation.r")).isTrue();
        assertThat(AppGrant.covers("patient/*.read", "patient/Condition.s")).isTrue();
        assertThat(AppGrant.covers("user/*.*", "user/Encounter.cud")).isTrue();
        assertThat(AppGrant.covers("launch/patient", "launch/patient")).isTrue();
        assertThat(AppGrant.covers("patient/Observation.rs", "patient/*.rs")).as("never a wider type").isFalse();
        assertThat(AppGrant.covers("patient/*.rs", "patient/Observation.rsc")).as("never more permissions").isFalse();
        assertThat(AppGrant.covers("patient/*.rs", "user/Observation.rs")).as("never another context").isFalse();
        assertThat(AppGrant.covers("patient/*.rs", "launch")).isFalse();
        assertThat(AppGrant.covers("openid", "fhirUser")).isFalse();
    }
}
