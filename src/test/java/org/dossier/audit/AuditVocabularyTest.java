package org.dossier.audit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The trail's vocabulary is typed: outside the audit module an entry is built only from {@link AuditAction},
 * {@link AuditResource}, {@link AuditReason} and {@link AuditPurpose}, so a misspelt code does not compile.
 */
class AuditVocabularyTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.dossier");

    @Test
    void onlyTheAuditModuleCallsTheRecordsConstructor() {
        noClasses().that().resideOutsideOfPackage("org.dossier.audit..")
                .should().callConstructorWhere(com.tngtech.archunit.base.DescribedPredicate.describe("the AuditRecord constructor",
                        call -> call.getTarget().getOwner().isEquivalentTo(AuditRecord.class)))
                .because("entries are built with AuditRecord.at(…) from the typed vocabulary")
                .check(CLASSES);
    }

    @Test
    void theBuilderWritesTheCodesTheTrailHasAlwaysHeld() {
        AuditRecord r = AuditRecord.at(java.time.Instant.EPOCH).account(7L, "nurse").roles("NURSE").session("session:1").from("10.0.0.1", "curl")
                .action(AuditAction.ENTERED_IN_ERROR).patient(42L).resource(AuditResource.Observation, 9L).sections("CLINICAL")
                .decision(AuditRecord.Decision.ALLOW, AuditReason.CARE_TEAM).purpose(AuditPurpose.TREAT).detail("version 1 -> 2")
                .build();
        assertThat(r.action()).isEqualTo("entered-in-error");
        assertThat(r.resourceType()).isEqualTo("Observation");
        assertThat(r.resourceId()).isEqualTo("9");
        assertThat(r.reasonCode()).isEqualTo("CARE_TEAM");
        assertThat(r.purpose()).isEqualTo("TREAT");
        assertThat(r.sections()).isEqualTo("CLINICAL");
    }

    @Test
    void anEntryNamesItsActionAndDecision() {
        assertThatThrownBy(() -> AuditRecord.at(java.time.Instant.EPOCH).patient(1L).build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyCareRelationshipTheDatabaseExplainsIsAReason() {
        // The care module's relationships and the database's explanation (V20) name reasons the vocabulary knows.
        Arrays.stream(org.dossier.care.RelationshipReason.values()).forEach(r -> assertThat(AuditReason.of(r.name())).isNotNull());
        for (String code : new String[]{"APPOINTMENT_TODAY", "STAY_TODAY", "BILLING_QUEUE", "ATTENDING", "CURRENT_STAY_IN_UNIT",
                "CARE_TEAM", "APPOINTMENT", "REFERRAL", "RECENT_DISCHARGE"}) {
            assertThat(AuditReason.of(code)).isNotNull();
        }
    }
}
