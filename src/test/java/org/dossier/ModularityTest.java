package org.dossier;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The module boundaries of ARCHITECTURE.md: no cycles, no reaching into another module's internals. */
class ModularityTest {

    /** The committed documentation of the modules, linked from the README. */
    static final Path DOCS = Path.of("docs", "modules");

    private static final ApplicationModules modules = ApplicationModules.of(DossierApplication.class);

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
    void theCommittedModuleDocumentationIsWhatTheBuildGenerates() throws IOException {
        // Written afresh (the Documenter empties its folder first), so a previous build's files do not count.
        Path fresh = Path.of("target", "spring-modulith-docs");
        new Documenter(modules, Documenter.Options.defaults().withOutputFolder(fresh.toString())).writeDocumentation();
        Map<String, String> generated = generatedFiles(fresh);
        String whole = generated.get("components.puml");
        assertThat(whole).as("the C4 component diagram of the whole").isNotNull();
        modules.forEach(m -> {
            assertThat(whole).as("the whole diagram names " + m.getIdentifier()).containsIgnoringCase(m.getDisplayName());
            assertThat(generated).as("the diagram and the canvas of " + m.getIdentifier())
                    .containsKeys("module-" + m.getIdentifier() + ".puml", "module-" + m.getIdentifier() + ".adoc");
        });
        Map<String, String> committed = generatedFiles(DOCS);
        if (!committed.equals(generated)) {
            refresh(generated, committed.keySet());
            fail("docs/modules was not what the build generates (files missing, stale or left over); this test has now "
                    + "rewritten it: review `git diff docs/modules`, commit it with the change that moved the modules, and run "
                    + "the test again (`./mvnw test -Dtest=ModularityTest`)");
        }
    }

    /** The Documenter's files in {@code folder} (diagrams and canvases), by name; the folder's README is not one of them. */
    private static Map<String, String> generatedFiles(Path folder) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return files;
        }
        try (Stream<Path> listed = Files.list(folder)) {
            for (Path f : listed.filter(p -> p.toString().endsWith(".puml") || p.toString().endsWith(".adoc")).toList()) {
                String text = Files.readString(f);
                files.put(f.getFileName().toString(), f.toString().endsWith(".puml") ? relationsSorted(text) : text);
            }
        }
        return files;
    }

    /**
     * The diagram with each run of relations ({@code Rel(...)} lines) in alphabetical order: the Documenter writes them in
     * the order the class files were found, which differs from one file system to the next.
     */
    private static String relationsSorted(String diagram) {
        List<String> out = new ArrayList<>();
        List<String> run = new ArrayList<>();
        for (String line : diagram.split("\n", -1)) {
            if (line.startsWith("Rel(")) {
                run.add(line);
                continue;
            }
            Collections.sort(run);
            out.addAll(run);
            run.clear();
            out.add(line);
        }
        Collections.sort(run);
        out.addAll(run);
        return String.join("\n", out);
    }

    private static void refresh(Map<String, String> generated, Iterable<String> previous) throws IOException {
        Files.createDirectories(DOCS);
        for (String name : previous) {
            Files.delete(DOCS.resolve(name));
        }
        for (Map.Entry<String, String> f : generated.entrySet()) {
            Files.writeString(DOCS.resolve(f.getKey()), f.getValue());
        }
    }
}
