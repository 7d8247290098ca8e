package org.dossier;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

import static org.assertj.core.api.Assertions.assertThat;

/** The module boundaries of ARCHITECTURE.md: no cycles, no reaching into another module's internals. */
class ModularityTest {

    private final ApplicationModules modules = ApplicationModules.of(DossierApplication.class);

    @Test
    void modulesRespectTheirBoundaries() {
        modules.verify();
    }

    @Test
    void everyModuleOfTheArchitectureExists() {
        assertThat(modules.stream().map(m -> m.getIdentifier().toString()))
                .contains("organization", "patient", "care", "clinical", "prescribing", "billing", "identity", "access",
                        "audit", "guard", "fhir", "web", "platform", "demo");
    }

    @Test
    void writesTheModuleDiagrams() throws java.io.IOException {
        // The diagrams a newcomer reads (target/spring-modulith-docs): one of the whole and one per module, naming them all,
        // written afresh (a previous build's files do not count).
        java.nio.file.Path folder = java.nio.file.Path.of("target", "spring-modulith-docs");
        if (java.nio.file.Files.isDirectory(folder)) {
            try (var old = java.nio.file.Files.list(folder)) {
                for (java.nio.file.Path f : old.toList()) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            }
        }
        new Documenter(modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
        String whole = java.nio.file.Files.readString(folder.resolve("components.puml"));
        modules.forEach(m -> {
            assertThat(whole).as("the whole diagram names " + m.getIdentifier()).containsIgnoringCase(m.getDisplayName());
            assertThat(folder.resolve("module-" + m.getIdentifier() + ".puml")).exists();
        });
    }
}
