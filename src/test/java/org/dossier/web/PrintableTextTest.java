package org.dossier.web;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The loop answers as Spring Security's regular expressions do, for every code point and for unpaired surrogates. */
class PrintableTextTest {

    private static final Pattern NAME = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    private static final Pattern VALUE = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    @Test
    void everyCodePointIsJudgedAsTheFirewallsExpressionsJudgeIt() {
        int disagreements = 0;
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            String s = "a" + Character.toString(c) + "b";
            disagreements += NAME.matcher(s).matches() == PrintableText.name(s) ? 0 : 1;
            disagreements += VALUE.matcher(s).matches() == PrintableText.value(s) ? 0 : 1;
        }
        assertThat(disagreements).isZero();
    }

    @Test
    void aTabIsAllowedInAValueOnlyAndControlsNowhere() {
        assertThat(PrintableText.value("Bearer\tx")).isTrue();
        assertThat(PrintableText.name("a\tb")).isFalse();
        assertThat(PrintableText.value("a\u0085b")).isFalse();
        assertThat(PrintableText.value("a\u0000b")).isFalse();
        assertThat(PrintableText.value("Dupré \uD83D\uDE00")).isTrue();
        assertThat(PrintableText.value("unpaired \uD800 and \uDC00")).isEqualTo(VALUE.matcher("unpaired \uD800 and \uDC00").matches());
        assertThat(PrintableText.value("")).isTrue();
    }
}
