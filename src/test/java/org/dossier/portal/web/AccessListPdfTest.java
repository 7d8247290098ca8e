package org.dossier.portal.web;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The access list's PDF parses, holds every line (over several pages), and survives text Helvetica cannot print. */
class AccessListPdfTest {

    @Test
    void everyBlockIsInThePdfOverSeveralPagesAndUnprintableTextDoesNotFailIt() throws Exception {
        List<AccessListPdf.Block> blocks = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            blocks.add(new AccessListPdf.Block("2026-12-0" + (1 + i % 7) + " 10:" + (10 + i % 50) + " — PHYSICIAN — Cardiologie",
                    List.of("Pourquoi : un membre de votre équipe de soins (CARE_TEAM) — entrée " + (1000 + i) + " de la piste d'audit")));
        }
        blocks.add(new AccessListPdf.Block("Dr \u0416\u2603 Émile\r\nInjected", List.of("x".repeat(400))));
        byte[] pdf = AccessListPdf.write("Qui a ouvert mon dossier", List.of("Chaque accès."), blocks);
        try (PDDocument d = Loader.loadPDF(pdf)) {
            assertThat(d.getNumberOfPages()).isGreaterThan(1);
            String text = new PDFTextStripper().getText(d);
            assertThat(text).contains("Qui a ouvert mon dossier").contains("entrée 1000 de la piste").contains("entrée 1119 de la piste")
                    .contains("équipe de soins").contains("Dr ?? Émile  Injected")
                    .as("a word wider than the page is cut, not run off it").contains("x".repeat(80) + "\n");
        }
    }

    @Test
    void controlCharactersBecomeSpacesAndUnknownOnesAQuestionMark() {
        assertThat(AccessListPdf.printable("a\u2603b\nc\u00e9")).isEqualTo("a?b cé");
        assertThat(AccessListPdf.printable(null)).isEmpty();
    }
}
