package org.dossier.access;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaParameterizedType;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.dossier.platform.bulk.BulkLoad;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Repository;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.constructors;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noCodeUnits;

/**
 * The rules that make the gateway hold by construction (ADR 0029), written against types, annotations and packages
 * rather than class names, so that a new class is held by them the day it is written. {@link GatewayArchitectureTest}
 * checks them on the application; {@code GatewayRulesCanFailTest} shows each one failing on a fixture.
 */
final class GatewayRules {

    private GatewayRules() {
    }

    /** The modules that hold patient data, and the chart above them. */
    static final Set<String> PATIENT_MODULES = Set.of("patient", "care", "clinical", "prescribing", "billing", "chart", "portal");

    /** The gateway's proofs: only {@link AccessGateway} makes them. */
    static final List<Class<?>> PROOFS = List.of(PatientAccess.class, Listing.class, SearchPermit.class, ImportRun.class,
            PatientErased.class);

    /** What a {@code @Locates} method may answer, besides records of these: identifiers and the decision's facts. */
    private static final Set<String> IDENTIFIERS = Set.of("java.lang.Long", "java.lang.Integer", "java.lang.Short",
            "java.lang.Byte", "java.lang.Boolean", "java.util.OptionalLong", "java.util.OptionalInt", PatientFacts.class.getName());

    /** Containers of identifiers, checked through their type arguments. */
    private static final Set<String> CONTAINERS = Set.of("java.util.Optional", "java.util.List", "java.util.Set",
            "java.util.Collection", "java.util.Map");

    /** Where code may hold SQL: besides repositories and bulk packages, nothing in these modules (nor in any web package). */
    private static final String[] SQL_FREE = {"org.dossier.patient..", "org.dossier.care..", "org.dossier.clinical..",
            "org.dossier.prescribing..", "org.dossier.billing..", "org.dossier.chart..", "org.dossier.fhir..", "org.dossier.web..",
            "..web.."};

    /** The import run's bulk path: none today (an import writes through the services, one decided record at a time). */
    private static final String[] BULK_CALLERS = {"org.dossier.demo..", "..bulk.."};

    static DescribedPredicate<JavaClass> inPatientModule() {
        return DescribedPredicate.describe("in a module holding patient data " + PATIENT_MODULES,
                c -> PATIENT_MODULES.contains(module(c)));
    }

    static DescribedPredicate<JavaClass> namedIn(Set<String> names) {
        return DescribedPredicate.describe("named in " + names, c -> names.contains(c.getName()));
    }

    private static DescribedPredicate<JavaClass> sqlTypes() {
        return resideInAnyPackage("org.springframework.jdbc..", "javax.sql..")
                .or(nameMatching("java\\.sql\\.(Connection|Statement|PreparedStatement|CallableStatement)"))
                .as("SQL clients (JdbcClient, JdbcTemplate, NamedParameterJdbcTemplate, DataSource, java.sql.Connection)");
    }

    /**
     * (a) R-repo: every non-private method of a repository of patient data takes a proof, or is a {@code @Locates} read
     * answering identifiers only.
     */
    static ArchRule repositoryMethodsTakeAProof(Set<String> excluded) {
        return classes().that().areAnnotatedWith(Repository.class).and(inPatientModule()).and(not(namedIn(excluded)))
                .should(takeAProofOrOnlyLocate())
                .because("a repository answers only what the gateway decided (R-repo, ADR 0029)")
                .allowEmptyShould(true);
    }

    /** The non-private methods of a class that take no proof, or locate with an answer that is more than identifiers. */
    static ArchCondition<JavaClass> takeAProofOrOnlyLocate() {
        return new ArchCondition<>("have only methods that take a proof or @Locates with identifiers only") {
            @Override
            public void check(JavaClass repository, ConditionEvents events) {
                for (JavaMethod m : repository.getMethods()) {
                    String problem = problemOf(m);
                    if (problem != null) {
                        events.add(SimpleConditionEvent.violated(m, repository.getSimpleName() + "." + m.getName() + " " + problem));
                    }
                }
            }
        };
    }

    /** Why a repository method breaks R-repo, or null when it does not. */
    static String problemOf(JavaMethod m) {
        if (m.getModifiers().contains(JavaModifier.PRIVATE) || m.getModifiers().contains(JavaModifier.SYNTHETIC)) {
            return null;
        }
        boolean proven = m.getRawParameterTypes().stream().anyMatch(t -> PROOFS.stream().anyMatch(p -> t.isEquivalentTo(p)));
        if (m.isAnnotatedWith(Locates.class)) {
            return identifiersOnly(m.getReturnType())
                    ? null : "is @Locates but answers " + m.getReturnType().getName() + ", more than identifiers";
        }
        return proven ? null : "takes no proof (PatientAccess, Listing, SearchPermit, ImportRun, PatientErased) and is not @Locates";
    }

    /** Primitive or boxed numbers, enums, their containers (type arguments checked), PatientFacts, or records of these. */
    static boolean identifiersOnly(JavaType type) {
        if (type instanceof JavaParameterizedType p) {
            return CONTAINERS.contains(p.toErasure().getName())
                    && p.getActualTypeArguments().stream().allMatch(GatewayRules::identifiersOnly);
        }
        if (!(type instanceof JavaClass c)) {
            return false; // a type variable or a wildcard cannot be checked
        }
        if (c.isArray()) {
            return identifiersOnly(c.getComponentType());
        }
        if (c.isPrimitive()) {
            return !c.getName().equals("void");
        }
        if (IDENTIFIERS.contains(c.getName()) || c.isEnum()) {
            return true; // an enum is a closed set of codes (a reason, a status): a decision fact, never free text
        }
        return c.getRawSuperclass().map(s -> s.getName().equals("java.lang.Record")).orElse(false)
                && c.getFields().stream().filter(f -> !f.getModifiers().contains(JavaModifier.STATIC))
                .map(JavaField::getType).allMatch(GatewayRules::identifiersOnly);
    }

    /**
     * (b) SQL lives in repositories and bulk packages only. Besides them: the gateway's own inputs (implementations of
     * {@link PatientDirectory} and {@link CareLinks}, which answer decision facts to the gateway alone), and
     * configuration classes that hand the SQL client to a bean without calling it.
     */
    static ArchRule onlyRepositoriesAndBulkHoldSql(Set<String> factReaders) {
        return noClasses().that().resideInAnyPackage(SQL_FREE)
                .and(not(annotatedWith(Repository.class))).and(not(resideInAPackage("..bulk..")))
                .and(not(assignableTo(PatientDirectory.class))).and(not(assignableTo(CareLinks.class)))
                .and(not(annotatedWith(Configuration.class))).and(not(namedIn(factReaders)))
                .should().dependOnClassesThat(sqlTypes())
                .because("a query outside a repository takes no proof (R-repo, ADR 0029)");
    }

    /** (b) A configuration class passes the SQL client on; it does not query. */
    static ArchRule configurationsDoNotQuery() {
        return noClasses().that().resideInAnyPackage(SQL_FREE).and().areAnnotatedWith(Configuration.class)
                .should().accessTargetWhere(JavaAccess.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(sqlTypes())))
                .because("a query outside a repository takes no proof (R-repo, ADR 0029)");
    }

    /** (c) The proofs are final, and constructed only inside {@code access} (by the gateway). */
    static ArchRule proofsAreFinal(Collection<Class<?>> proofs) {
        return classes().that(namedIn(names(proofs))).should().haveModifier(JavaModifier.FINAL).allowEmptyShould(false)
                .because("a subclass of a proof would be a proof the gateway never issued");
    }

    static ArchRule proofsAreMadeOnlyIn(Collection<Class<?>> proofs, String accessPackage) {
        return constructors().that().areDeclaredInClassesThat(namedIn(names(proofs)))
                .should().onlyBeCalled().byClassesThat().resideInAPackage(accessPackage)
                .andShould().notBePublic().andShould().notHaveModifier(JavaModifier.PROTECTED)
                .because("only the gateway, deciding and auditing, issues a proof");
    }

    /** (d) Bulk packages write around the gateway and row-level security: only the demo generator reaches them. */
    static ArchRule bulkIsReachedOnlyByTheDemo() {
        return classes().that().resideInAPackage("..bulk..")
                .should().onlyHaveDependentClassesThat().resideInAnyPackage(BULK_CALLERS)
                .because("a bulk loader writes patient rows with no decision, on the owner's connection");
    }

    /** (d) The owner's connection, which row-level security does not confine, stays in platform and the bulk packages. */
    static ArchRule ownerConnectionStaysInPlatformAndBulk() {
        return noClasses().that().resideOutsideOfPackages("org.dossier.platform..", "..bulk..")
                .should().callMethod(BulkLoad.Session.class, "connection")
                .because("the owner's connection bypasses row-level security");
    }

    /** (d) Nothing outside platform is handed the owner's data source. */
    static ArchRule ownerDataSourceStaysInPlatform() {
        return noCodeUnits().that().areDeclaredInClassesThat().resideOutsideOfPackage("org.dossier.platform..")
                .should(takeTheOwnersDataSource())
                .because("the owner's connection bypasses row-level security");
    }

    private static ArchCondition<JavaCodeUnit> takeTheOwnersDataSource() {
        return new ArchCondition<>("take the owner's data source (@Qualifier(\"owner\"))") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                boolean owner = unit.getParameters().stream().anyMatch(p -> p.isAnnotatedWith(Qualifier.class)
                        && "owner".equals(p.getAnnotationOfType(Qualifier.class).value()));
                events.add(new SimpleConditionEvent(unit, owner, unit.getFullName() + " takes the owner's data source"));
            }
        };
    }

    /** (d) A bulk loader's helper in its module's root (HistoryChain, PatientRows) serves that module only. */
    static ArchRule staysInItsModule(String className, String modulePackage) {
        return classes().that().haveFullyQualifiedName(className)
                .should().onlyHaveDependentClassesThat().resideInAPackage(modulePackage)
                .allowEmptyShould(false);
    }

    static String module(JavaClass c) {
        String name = c.getPackageName();
        if (!name.startsWith("org.dossier.")) {
            return "";
        }
        String rest = name.substring("org.dossier.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static Set<String> names(Collection<Class<?>> classes) {
        return classes.stream().map(Class::getName).collect(java.util.stream.Collectors.toSet());
    }
}
