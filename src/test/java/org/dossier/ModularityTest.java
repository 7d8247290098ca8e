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
    void writesTheModuleDiagrams() {
        new Documenter(modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
    }
}
