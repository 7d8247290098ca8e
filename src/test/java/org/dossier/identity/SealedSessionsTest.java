package org.dossier.identity;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sessions' attributes are sealed at rest (issue 22, {@link SealedSessions}): a prescription refused for an allergy
 * flashes the form and the allergy through the session, which a dump of {@code spring_session_attributes} then showed in
 * clear; now it shows neither them nor the account's name, and the screen still shows the conflict after the redirect.
 */
class SealedSessionsTest extends IntegrationTest {

    @Test
    void aFlashedPrescriptionFormAndItsAllergyAreSealedInTheSessionAndStillShownOnTheScreen() {
        long patient = fixtures().patientInCare();
        String word = "Flash" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        Api.Response allergy = as("physician").post("/api/patients/" + patient + "/allergies", Map.of("substance", word,
                "severity", "SEVERE"));
        assertThat(allergy.status()).as(allergy.toString()).isEqualTo(201);
        BrowserSession browser = BrowserSession.signedIn(port, "physician");

        Api.Response posted = browser.pageForm("/patients/" + patient + "/prescriptions", Map.of("drug", word + " 1 g",
                "dose", "1 g", "route", "ORAL", "frequency", "matin"), true);
        assertThat(posted.status()).as(posted.toString()).isEqualTo(302);

        assertThat(jdbc.sql("select count(*) from spring_session_attributes").query(Long.class).single()).isPositive();
        assertThat(jdbc.sql("""
                        select count(*) from spring_session_attributes
                         where position(convert_to(?, 'UTF8') in attribute_bytes) > 0
                            or position(convert_to('physician', 'UTF8') in attribute_bytes) > 0
                            or substring(attribute_bytes from 1 for 2) = '\\xaced'::bytea""")
                .param(word).query(Long.class).single()).as("session attributes holding the allergy, the account or a clear "
                + "serialized object").isZero();

        Api.Response shown = browser.page("/patients/" + patient + "?tab=prescriptions");
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body()).as("the conflict, shown after the redirect").contains("allergy-conflict").contains(word);
    }
}
