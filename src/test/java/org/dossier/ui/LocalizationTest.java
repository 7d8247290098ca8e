package org.dossier.ui;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every screen text exists in French and in English: the two bundles have the same keys, and every key a template names. */
class LocalizationTest {

    private static final Path I18N = Path.of("src/main/resources/i18n");
    private static final Path TEMPLATES = Path.of("src/main/resources/templates");

    @Test
    void frenchAndEnglishHaveTheSameKeysAndNoneIsEmpty() throws IOException {
        Properties en = load("messages.properties");
        Properties fr = load("messages_fr.properties");
        assertThat(fr.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        en.forEach((k, v) -> assertThat((String) v).as((String) k).isNotBlank());
        fr.forEach((k, v) -> assertThat((String) v).as((String) k).isNotBlank());
    }

    @Test
    void everyFixedKeyATemplateNamesExists() throws IOException {
        Set<String> keys = load("messages.properties").stringPropertyNames();
        Set<String> missing = new TreeSet<>();
        Pattern fixed = Pattern.compile("#\\{([a-zA-Z][a-zA-Z0-9.]*)[}(]");
        try (Stream<Path> files = Files.walk(TEMPLATES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".html")).toList()) {
                Matcher m = fixed.matcher(Files.readString(f));
                while (m.find()) {
                    if (!keys.contains(m.group(1))) {
                        missing.add(TEMPLATES.relativize(f) + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    private static Properties load(String name) throws IOException {
        Properties p = new Properties();
        try (Reader r = new InputStreamReader(Files.newInputStream(I18N.resolve(name)), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
