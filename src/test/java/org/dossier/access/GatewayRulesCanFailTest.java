package org.dossier.access;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.dossier.clinical.gatewayfixture.proof.ForgeableProof;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each rule of {@link GatewayRules} fails on the fixture classes of {@code org.dossier.clinical.gatewayfixture}, which
 * break them on purpose under names no rule knows, and names exactly what breaks it: a rule that cannot fail proves nothing.
 */
class GatewayRulesCanFailTest {

    private static final JavaClasses FIXTURE = new ClassFileImporter()
            .importPackages("org.dossier.clinical.gatewayfixture", "org.dossier.audit");

    @Test
    void aRepositoryMethodWithoutAProofOrLocatingContentIsReported() {
        List<String> violations = violations(GatewayRules.repositoryMethodsTakeAProof(Set.of()));

        assertThat(violations).anyMatch(v -> v.contains("UnprovenRepository.note takes no proof"))
                .anyMatch(v -> v.contains("UnprovenRepository.titleOfNote is @Locates but answers java.lang.String"))
                .anyMatch(v -> v.contains("UnprovenRepository.namesOfPatient is @Locates"))
                .anyMatch(v -> v.contains("UnprovenRepository.titledNote is @Locates"))
                .hasSize(4);
    }

    @Test
    void theTemporaryExclusionSilencesOnlyTheClassesItNames() {
        assertThat(violations(GatewayRules.repositoryMethodsTakeAProof(
                Set.of("org.dossier.clinical.gatewayfixture.UnprovenRepository")))).isEmpty();
    }

    @Test
    void sqlOutsideARepositoryIsReported() {
        assertThat(violations(GatewayRules.onlyRepositoriesAndBulkHoldSql(Set.of())))
                .anyMatch(v -> v.contains("SqlService") && v.contains("JdbcClient"))
                .noneMatch(v -> v.contains("UnprovenRepository"));
        assertThat(violations(GatewayRules.configurationsDoNotQuery())).anyMatch(v -> v.contains("QueryingConfiguration.allergies"));
    }

    @Test
    void aProofThatCanBeSubclassedOrMadeElsewhereIsReported() {
        List<Class<?>> proofs = List.of(ForgeableProof.class);

        assertThat(violations(GatewayRules.proofsAreFinal(proofs))).anyMatch(v -> v.contains("ForgeableProof"));
        assertThat(violations(GatewayRules.proofsAreMadeOnlyIn(proofs, "org.dossier.clinical.gatewayfixture.proof")))
                .anyMatch(v -> v.contains("Sneaky.forge"))
                .anyMatch(v -> v.contains("ForgeableProof.<init>()> has modifier PUBLIC"));
    }

    @Test
    void theBulkPathsReachedFromOutsideTheDemoAreReported() {
        assertThat(violations(GatewayRules.bulkIsReachedOnlyByTheDemo())).anyMatch(v -> v.contains("Sneaky.load"));
        assertThat(violations(GatewayRules.ownerConnectionStaysInPlatformAndBulk()))
                .anyMatch(v -> v.contains("Sneaky.ownerConnection"));
        assertThat(violations(GatewayRules.ownerDataSourceStaysInPlatform())).anyMatch(v -> v.contains("Sneaky.<init>"));
        assertThat(violations(GatewayRules.staysInItsModule("org.dossier.audit.HistoryChain", "org.dossier.audit..")))
                .anyMatch(v -> v.contains("Sneaky.sign"));
    }

    private static List<String> violations(ArchRule rule) {
        return rule.evaluate(FIXTURE).getFailureReport().getDetails();
    }
}
