package org.dossier.portal.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The CSV formula guard (OWASP's list): a leading =, +, -, @, tab or carriage return is defused; other text is kept. */
class PortalDownloadsCellTest {

    @Test
    void aCellThatASpreadsheetWouldRunIsDefusedAndPlainTextIsKept() {
        assertThat(PortalDownloads.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(PortalDownloads.cell("\t=1+1")).isEqualTo("\"'\t=1+1\"");
        assertThat(PortalDownloads.cell("\r=1+1")).isEqualTo("\"'\r=1+1\"");
        assertThat(PortalDownloads.cell("@SUM(A1)\nsecond line")).startsWith("\"'@");
        assertThat(PortalDownloads.cell("PHYSICIAN")).isEqualTo("\"PHYSICIAN\"");
        assertThat(PortalDownloads.cell(null)).isEmpty();
    }
}
