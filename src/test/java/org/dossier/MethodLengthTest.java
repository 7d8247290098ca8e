package org.dossier;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No method or constructor of src/main/java is over {@value #MAX_LINES} lines, counted from its
 * declaration's first line to its closing brace (lambdas and anonymous classes inside count toward it):
 * a long method hides the one branch that reads patient data without a decision.
 */
class MethodLengthTest {

    static final int MAX_LINES = 60;

    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void noMethodIsOverSixtyLines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        JavaParser parser = new JavaParser(new ParserConfiguration()
                .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                ParseResult<CompilationUnit> parsed = parser.parse(file);
                assertThat(parsed.isSuccessful()).as("%s parses: %s", file, parsed.getProblems()).isTrue();
                for (CallableDeclaration<?> callable : parsed.getResult().orElseThrow()
                        .findAll(CallableDeclaration.class)) {
                    String name = nameOf(callable);
                    int lines = lineCount(callable);
                    if (lines > MAX_LINES) {
                        tooLong.add(name + " (" + lines + " lines, " + SOURCES.relativize(file) + ")");
                    }
                }
            }
        }
        assertThat(tooLong).as("methods over %d lines: split them into well-named methods", MAX_LINES).isEmpty();
    }

    private static int lineCount(CallableDeclaration<?> callable) {
        var range = callable.getRange().orElseThrow();
        return range.end.line - range.begin.line + 1;
    }

    /** Type.method, with the enclosing types of a nested one: BundleImport.observation, AccessGateway.decide. */
    private static String nameOf(CallableDeclaration<?> callable) {
        StringBuilder owner = new StringBuilder();
        callable.walk(com.github.javaparser.ast.Node.TreeTraversal.PARENTS, node -> {
            if (node instanceof TypeDeclaration<?> type) {
                owner.insert(0, owner.isEmpty() ? type.getNameAsString() : type.getNameAsString() + ".");
            }
        });
        return owner + "." + callable.getNameAsString();
    }
}
