package org.dossier.identity;

import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy("");
    private final StaffMember claire = new StaffMember(1, "cmartin", "Dr Claire Martin", null, StaffStatus.ACTIVE, Set.of(Role.PHYSICIAN),
            Set.of(1), Set.of(), 1, Instant.EPOCH, Instant.EPOCH);

    @Test
    void longPassphrasesOfAnyCharactersAreAccepted() {
        assertThat(policy.problem("le train de 8h12 est en retard", claire)).isNull();
        assertThat(policy.problem("ÉtéIndienÀBiarritz", claire)).isNull();
        assertThat(policy.problem("abcdefghijk1", claire)).as("no composition rules, but this is a sequence").isNotNull();
        assertThat(policy.problem("mardi gras 17", claire)).isNull();
    }

    @Test
    void shortCommonTrivialOrPersonalPasswordsAreRefusedWithAReason() {
        assertThat(policy.problem("eleven char", claire)).contains("12");
        assertThat(policy.problem("password1234", claire)).contains("common");
        assertThat(policy.problem("Motdepasse123", claire)).contains("common");
        assertThat(policy.problem("aaaaaaaaaaaaaaaa", claire)).isNotNull();
        assertThat(policy.problem("123456789012345", claire)).isNotNull();
        assertThat(policy.problem("claire adore le cafe", claire)).contains("name");
        assertThat(policy.problem("xxcmartinxx2026", claire)).contains("name");
        assertThat(policy.problem("x".repeat(129), claire)).contains("128");
    }
}
