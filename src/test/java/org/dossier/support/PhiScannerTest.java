package org.dossier.support;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dump scans' search: every value, overlapping or nested, in any case, at a word's bounds when asked. */
class PhiScannerTest {

    private static List<String> found(PhiScanner scanner, String text) {
        return scanner.scan(text.getBytes(StandardCharsets.UTF_8)).keySet().stream().map(PhiScanner.Found::value).sorted().toList();
    }

    @Test
    void findsOverlappingAndNestedValuesInOnePass() {
        PhiScanner scanner = new PhiScanner().add("name", List.of("Martin", "Martinez", "tine", "Lefèvre"), false).build();
        assertThat(found(scanner, "…MARTINEZ and lefèvre, LEFÈVRE…")).containsExactly("Lefèvre", "Martin", "Martinez", "tine");
        assertThat(found(scanner, "Marti nez, Lefevre")).isEmpty();
    }

    @Test
    void aWordValueCountsOnlyBetweenNonAlphanumerics() {
        PhiScanner scanner = new PhiScanner().add("IPP", List.of("123456"), true).add("date", List.of("1957-03-02"), true).build();
        assertThat(found(scanner, "x\\x0a1234567 a123456 1957-03-021")).isEmpty();
        assertThat(found(scanner, "ipp\t123456\t1957-03-02\n")).containsExactly("123456", "1957-03-02");
        assertThat(scanner.scan("§123456§".getBytes(StandardCharsets.UTF_8), 2, 8)).hasSize(1);
    }

    /** Found by CI in a dump: "Pierre", case folded, inside a sealed TOTP secret's base64. */
    @Test
    void aNameInsideTheBase64OfRandomBytesIsChanceNotALeak() {
        PhiScanner scanner = new PhiScanner().add("name", List.of("Pierre"), false).build();
        assertThat(found(scanner, "131\t0DyHdYDN3MlnUeDqfw+9j2DtjXGPdW73PieRrEE/hWVEekN+O6M52NKTIkxhMq\t2026")).isEmpty();
        assertThat(found(scanner, "{\"given\":\"Pierre\"}")).containsExactly("Pierre");
        assertThat(found(scanner, "jean-pierre.dupont1985")).as("a login made of a name").containsExactly("Pierre");
        assertThat(found(scanner, "PIERREDUPONTPIERREDUPONT1985")).as("one case: not random").containsExactly("Pierre");
        assertThat(found(scanner, "pierredupontjeanmarie1985x")).as("one case: not random").containsExactly("Pierre");
    }

    @Test
    void findsValuesInBinaryPagesAsInText() {
        PhiScanner scanner = new PhiScanner().add("drug", List.of("Énoxaparine 4000 UI"), false).build();
        byte[] page = new byte[8192];
        byte[] value = "\u0000\u0017Énoxaparine 4000 UI\u0000".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(value, 0, page, 5000, value.length);
        var found = scanner.scan(page);
        assertThat(found).containsOnlyKeys(new PhiScanner.Found("drug", "Énoxaparine 4000 UI"));
        assertThat(found.values()).containsExactly(5002);
    }
}
