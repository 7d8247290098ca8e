package org.dossier.access;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No path to patient data around the gateway (ARCHITECTURE.md, invariant 1), by construction (ADR 0029): a repository
 * of patient data answers only for a proof the gateway issued, SQL lives only in repositories and bulk packages, the
 * proofs cannot be made outside {@code access}, and the bulk paths (which write around the gateway, on the owner's
 * connection) are reached only by the demo generator. The rules are in {@link GatewayRules}; each is shown to fail on a
 * fixture in {@code GatewayRulesCanFailTest}.
 */
class GatewayArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.dossier");

    /**
     * Repositories of a patient module whose tables name no patient (practitioners' opening hours, the act catalogue), so
     * their methods take no proof. Adding to this set is a security decision: say in the class why no patient is in it.
     */
    static final Set<String> PATIENT_FREE_REPOSITORIES = Set.of(
            "org.dossier.care.ScheduleRepository", "org.dossier.billing.MedicalActRepository",
            // Not patient-free, but a person never sees what it reads: the server's own exchange with the insurer (its class says why).
            "org.dossier.billing.InsurerExchangeRepository",
            // The portal's credentials (a patient's account before anyone is signed in) and the security officer's case queue,
            // whose role sees no section of a record: each class says why (ADR 0039).
            "org.dossier.portal.PortalAccountRepository", "org.dossier.portal.PortalOversightRepository",
            // The desk's queue of correction requests: numbers only, each record it names written as OVERSEE (ADR 0040).
            "org.dossier.portal.PortalCorrectionQueueRepository",
            // The portal's policy per facility: two switches and who set them, no patient in it (ADR 0044).
            "org.dossier.portal.PortalSettingRepository");

    /**
     * Classes that read, for the gateway's decision, the facts it decides on (besides the implementations of
     * PatientDirectory and CareLinks): every method of theirs that queries is {@code @Locates}.
     */
    static final Set<String> GATEWAY_FACT_READERS = Set.of("org.dossier.care.CareRelationships");

    @Test
    void everyRepositoryMethodOfPatientDataTakesAProofOrOnlyLocates() {
        GatewayRules.repositoryMethodsTakeAProof(PATIENT_FREE_REPOSITORIES).check(CLASSES);
    }

    @Test
    void onlyRepositoriesAndBulkPackagesHoldSql() {
        GatewayRules.onlyRepositoriesAndBulkHoldSql(GATEWAY_FACT_READERS).check(CLASSES);
        GatewayRules.configurationsDoNotQuery().check(CLASSES);
    }

    @Test
    void theProofsAreFinalAndMadeOnlyByTheGateway() {
        GatewayRules.proofsAreFinal(GatewayRules.PROOFS).check(CLASSES);
        GatewayRules.proofsAreMadeOnlyIn(GatewayRules.PROOFS, "org.dossier.access").check(CLASSES);
    }

    @Test
    void theBulkPathsAndTheOwnersConnectionAreReachedOnlyByTheDemo() {
        GatewayRules.bulkIsReachedOnlyByTheDemo().check(CLASSES);
        GatewayRules.ownerConnectionStaysInPlatformAndBulk().check(CLASSES);
        GatewayRules.ownerDataSourceStaysInPlatform().check(CLASSES);
        GatewayRules.staysInItsModule("org.dossier.audit.HistoryChain", "org.dossier.audit..").check(CLASSES);
        GatewayRules.staysInItsModule("org.dossier.patient.PatientRows", "org.dossier.patient..").check(CLASSES);
    }

    @Test
    void repositoriesArePrivateToTheirModule() {
        classes().that().areAnnotatedWith(Repository.class).should().notBePublic()
                .because("only the module's own service, which asks the gateway, may reach its tables").check(CLASSES);
        classes().that().haveSimpleNameEndingWith("Repository").should().notBePublic().check(CLASSES);
    }

    @Test
    void controllersAndTheFhirFacadeHoldNoSqlAndTakeNoDecisions() {
        noClasses().that().resideInAnyPackage("..web..", "org.dossier.fhir..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.springframework.jdbc.core.simple.JdbcClient")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.springframework.jdbc.core.JdbcTemplate")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("javax.sql.DataSource")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.dossier.care.CareRelationships")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.dossier.access.AccessGateway")
                .because("the services decide; a controller that decides is a second policy that drifts")
                .check(CLASSES);
    }

    @Test
    void theTrailsPatientFacingReportIsReachedOnlyThroughTheGateway() {
        noClasses().that().resideOutsideOfPackages("org.dossier.access..", "org.dossier.audit..")
                .should().callMethod(org.dossier.audit.AuditReports.class, "accessesToTellThePatient", long.class)
                .orShould().callMethod(org.dossier.audit.AuditReports.class, "accessesToMyRecord", long.class, long.class, int.class, int.class)
                .orShould().callMethod(org.dossier.audit.AuditReports.class, "accessesToMyRecord", long.class, long.class, java.util.Collection.class)
                .check(CLASSES);
        noClasses().that().resideOutsideOfPackages("org.dossier.access..", "org.dossier.care..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.dossier.care.CareRelationships")
                .check(CLASSES);
    }
}
