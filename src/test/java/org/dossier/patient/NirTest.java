package org.dossier.patient;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class NirTest {

    @Test
    void theKeyIs97MinusTheNumberModulo97() {
        assertThat(Nir.key("2550814168025")).isEqualTo(38);
        assertThat(Nir.isValid("255081416802538")).isTrue();
        assertThat(Nir.isValid("255081416802539")).isFalse();
    }

    @Test
    void corsicanDepartmentsCountAs19And18() {
        String body = "185022A004123";
        assertThat(Nir.key(body)).isEqualTo(Nir.key("1850219004123"));
        assertThat(Nir.isValid(Nir.withKey(body))).isTrue();
        assertThat(Nir.key("185022B004123")).isEqualTo(Nir.key("1850218004123"));
    }

    @Test
    void malformedNumbersAreInvalid() {
        assertThat(Nir.isValid(null)).isFalse();
        assertThat(Nir.isValid("")).isFalse();
        assertThat(Nir.isValid("55081416802538")).isFalse();
        assertThat(Nir.isValid("555081416802538")).as("sex digit 5").isFalse();
        assertThat(Nir.isValid("2550814168025AB")).isFalse();
    }

    @Test
    void sexAndBirthDigitsAreCheckedAgainstTheIdentity() {
        assertThat(Nir.sexMatches("255081416802538", Sex.F)).isTrue();
        assertThat(Nir.sexMatches("255081416802538", Sex.M)).isFalse();
        assertThat(Nir.birthMatches("255081416802538", LocalDate.of(1955, 8, 1))).isTrue();
        assertThat(Nir.birthMatches("255081416802538", LocalDate.of(1955, 9, 1))).isFalse();
    }

    @Test
    void nameKeysDropAccentsCaseAndPunctuation() {
        assertThat(NameKeys.of("Hélène")).isEqualTo("helene");
        assertThat(NameKeys.of("  LE GALL-Œuvray ")).isEqualTo("le gall oeuvray");
        assertThat(NameKeys.of("d'Artagnan")).isEqualTo("d artagnan");
    }
}
