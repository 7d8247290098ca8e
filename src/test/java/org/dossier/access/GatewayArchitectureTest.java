package org.dossier.access;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.stereotype.Repository;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No path to patient data around the gateway (ARCHITECTURE.md, invariant 1). Repositories are private to their
 * module; controllers and the FHIR facade hold no SQL; and every public method of a patient-data service that
 * reaches a repository takes a gateway decision on the way (directly, or through a method of its own class or of
 * another such service that does). A new service method that forgets the gateway fails this test.
 */
class GatewayArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.dossier");

    /** The modules that hold patient data, and the chart above them. */
    private static final Set<String> PATIENT_MODULES = Set.of("patient", "care", "clinical", "prescribing", "billing", "chart");

    /**
     * Public methods that reach patient tables without a per-user decision, each for a stated reason.
     * Adding to this list is a security decision: say why in the comment.
     */
    private static final Set<String> NOT_USER_ACCESSES = Set.of(
            // the server's claims connector: changes claim statuses, returns a count, runs as the system
            "org.dossier.billing.BillingService.collectAnswers",
            // the act catalogue (CCAM codes and prices), no patient in it
            "org.dossier.billing.BillingService.acts",
            // practitioners' weekly schedules and free slots: no patient in them
            "org.dossier.care.SchedulingService.addSchedule",
            "org.dossier.care.SchedulingService.schedules",
            "org.dossier.care.SchedulingService.slots",
            // the gateway's own input: whether a relationship exists, no data of the record; only access and care call it
            "org.dossier.care.CareRelationships.between");

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
                .check(CLASSES);
        noClasses().that().resideOutsideOfPackages("org.dossier.access..", "org.dossier.care..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.dossier.care.CareRelationships")
                .check(CLASSES);
    }

    @Test
    void everyServiceMethodThatReachesPatientDataAsksTheGatewayFirst() {
        Map<JavaMethod, Boolean> gated = new HashMap<>();
        Map<JavaMethod, Boolean> touching = new HashMap<>();
        List<String> ungated = new ArrayList<>();
        int checked = 0;
        for (JavaClass service : CLASSES) {
            if (!service.isAnnotatedWith(Service.class) || !service.getModifiers().contains(JavaModifier.PUBLIC)
                    || !PATIENT_MODULES.contains(module(service))) {
                continue;
            }
            for (JavaMethod m : service.getMethods()) {
                if (!m.getModifiers().contains(JavaModifier.PUBLIC) || m.getModifiers().contains(JavaModifier.SYNTHETIC)) {
                    continue;
                }
                String name = service.getFullName() + "." + m.getName();
                if (touches(m, touching, new java.util.HashSet<>())) {
                    checked++;
                    if (!isGated(m, gated, new java.util.HashSet<>()) && !NOT_USER_ACCESSES.contains(name)) {
                        ungated.add(name + m.getRawParameterTypes().stream().map(JavaClass::getSimpleName).toList());
                    }
                }
            }
        }
        assertThat(checked).as("the rule found the services' data methods").isGreaterThan(60);
        assertThat(ungated).as("public methods reaching patient data without a gateway decision").isEmpty();
    }

    private static String module(JavaClass c) {
        String rest = c.getPackageName().substring("org.dossier.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** It calls a repository, the version log or the SQL client, itself or through methods of its own class. */
    private static boolean touches(JavaMethod m, Map<JavaMethod, Boolean> memo, Set<JavaMethod> seen) {
        if (memo.containsKey(m)) {
            return memo.get(m);
        }
        if (!seen.add(m)) {
            return false;
        }
        boolean result = false;
        for (var call : m.getMethodCallsFromSelf()) {
            JavaClass owner = call.getTargetOwner();
            if (owner.getSimpleName().endsWith("Repository") || owner.getName().equals("org.dossier.platform.VersionLog")
                    || owner.getName().startsWith("org.springframework.jdbc")) {
                result = true;
                break;
            }
            if (owner.equals(m.getOwner())) {
                for (JavaMethod target : call.getTarget().resolveMember().stream().toList()) {
                    if (touches(target, memo, seen)) {
                        result = true;
                    }
                }
            }
        }
        memo.put(m, result);
        return result;
    }

    /** It calls the gateway (or uses a decision or a list proof it made), itself or through a method that does. */
    private static boolean isGated(JavaMethod m, Map<JavaMethod, Boolean> memo, Set<JavaMethod> seen) {
        if (memo.containsKey(m)) {
            return memo.get(m);
        }
        if (!seen.add(m)) {
            return false;
        }
        boolean result = false;
        for (var call : m.getMethodCallsFromSelf()) {
            String owner = call.getTargetOwner().getName();
            if (owner.equals(AccessGateway.class.getName()) || owner.equals(PatientAccess.class.getName())
                    || owner.equals(Listing.class.getName())
                    || owner.equals("org.dossier.clinical.ClinicalAccess")) {
                result = true;
                break;
            }
            boolean sameOrService = call.getTargetOwner().equals(m.getOwner())
                    || call.getTargetOwner().isAnnotatedWith(Service.class) && PATIENT_MODULES.contains(module(call.getTargetOwner()));
            if (sameOrService) {
                for (JavaMethod target : call.getTarget().resolveMember().stream().toList()) {
                    if (isGated(target, memo, seen)) {
                        result = true;
                    }
                }
            }
            if (result) {
                break;
            }
        }
        memo.put(m, result);
        return result;
    }
}
