package org.dossier.identity;

import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordPolicyTest {

    private static final PasswordPolicy policy = new PasswordPolicy("");
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

    @Test
    void theListHoldsAtLeastAHundredThousandCommonPasswords() {
        assertThat(policy.listed()).isGreaterThanOrEqualTo(100_000);
    }

    @Test
    void listedPasswordsDressedUpWithCaseDigitsSymbolsOrLeetspeakAreStillCommon() {
        for (String p : List.of("Password123!", "Summer2024!", "Hopital2026!", "azerty123", "HÔPITAL 2026", "P@ssw0rd2024",
                "$ummer2024", "2024summer!", "Motdepasse!!2026", "SOLEIL1234567", "c0rrecth0rseb@tterystaple", "1loveyou 2026",
                "-Cardiologie-2026")) {
            assertThat(policy.isCommon(p)).as(p).isTrue();
        }
        assertThat(policy.problem("Password123!", claire)).contains("common");
        assertThat(policy.problem("Hopital2026!", claire)).contains("common");
        assertThat(policy.problem("Summer2024!", claire)).as("too short, said first").contains("12");
        assertThat(policy.problem("azerty123", claire)).contains("12");
        assertThat(policy.problem("Summer2024!!", claire)).contains("common");
        assertThat(policy.problem("Azerty123456!", claire)).contains("common");
    }

    @Test
    void wordsMadeOfListedWordsAreNotRefusedForThatAlone() {
        // Only whole passwords (and their dressed-down forms) are compared: a listed word inside a sentence is fine.
        for (String p : List.of("le cheval du lundi mange des pommes", "mardi gras 17", "soleil sur la dune de pyla", "hopital nord, aile B, 3e",
                "Xq7#hopital-vert-berlingot")) {
            assertThat(policy.isCommon(p)).as(p).isFalse();
            assertThat(policy.problem(p, claire)).as(p).isNull();
        }
    }

    @Test
    void dressingDownKeepsAtLeastFourLetters() {
        assertThat(CommonPasswords.forms("ab!!!!!!!!!!")).doesNotContain("ab");
        assertThat(CommonPasswords.forms("P@ss-2026")).contains("p@ss-2026", "pass");
        assertThat(CommonPasswords.strip(" 12hopital!! ")).isEqualTo("hopital");
        assertThat(CommonPasswords.unleet("h0p1t4l", 'i')).isEqualTo("hopital");
    }
}
