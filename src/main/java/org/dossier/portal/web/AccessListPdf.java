package org.dossier.portal.web;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain A4 PDF of lines of text (the patient's list of accesses, ADR 0044), written with Apache PDFBox and its standard
 * Helvetica: no font file to ship. A character Helvetica's WinAnsi encoding lacks is printed as "?" rather than failing
 * the download (the French of the messages is all in it); control characters become spaces, long lines wrap by words.
 */
final class AccessListPdf {

    private static final float MARGIN = 50, SIZE = 9, LEADING = 12.5f, TITLE_SIZE = 15;
    private static final PDType1Font FONT = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private static final PDType1Font BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);

    /** One entry: a heading line in bold, then its detail lines. */
    record Block(String heading, List<String> lines) {
    }

    private final PDDocument document = new PDDocument();
    private PDPageContentStream page;
    private float y;

    private AccessListPdf() {
    }

    static byte[] write(String title, List<String> intro, List<Block> blocks) {
        AccessListPdf pdf = new AccessListPdf();
        try (PDDocument d = pdf.document) {
            d.getDocumentInformation().setTitle(printable(title));
            pdf.newPage();
            pdf.line(BOLD, TITLE_SIZE, title);
            for (String line : intro) {
                pdf.line(FONT, SIZE, line);
            }
            for (Block b : blocks) {
                pdf.y -= LEADING / 2;
                pdf.line(BOLD, SIZE, b.heading());
                for (String line : b.lines()) {
                    pdf.line(FONT, SIZE, line);
                }
            }
            pdf.page.close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            d.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void newPage() throws IOException {
        if (page != null) {
            page.close();
        }
        PDPage p = new PDPage(PDRectangle.A4);
        document.addPage(p);
        page = new PDPageContentStream(document, p);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    /** Writes the text, wrapped to the page's width, starting a new page when this one is full. */
    private void line(PDType1Font font, float size, String text) throws IOException {
        for (String wrapped : wrap(font, size, printable(text), PDRectangle.A4.getWidth() - 2 * MARGIN)) {
            if (y < MARGIN + size) {
                newPage();
            }
            y -= size == TITLE_SIZE ? TITLE_SIZE + 4 : LEADING;
            page.beginText();
            page.setFont(font, size);
            page.newLineAtOffset(MARGIN, y);
            page.showText(wrapped);
            page.endText();
        }
    }

    private static List<String> wrap(PDType1Font font, float size, String text, float width) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String word : words(font, size, text, width)) {
            String candidate = current.isEmpty() ? word : current + " " + word;
            if (!current.isEmpty() && font.getStringWidth(candidate) / 1000 * size > width) {
                lines.add(current.toString());
                current = new StringBuilder(word);
            } else {
                current = new StringBuilder(candidate);
            }
        }
        lines.add(current.toString());
        return lines;
    }

    /** The words of the text, a word wider than the page cut into pieces that fit. */
    private static List<String> words(PDType1Font font, float size, String text, float width) throws IOException {
        List<String> words = new ArrayList<>();
        for (String word : text.split(" ")) {
            StringBuilder piece = new StringBuilder();
            for (int i = 0; i < word.length(); i++) {
                if (!piece.isEmpty() && font.getStringWidth(piece.toString() + word.charAt(i)) / 1000 * size > width) {
                    words.add(piece.toString());
                    piece.setLength(0);
                }
                piece.append(word.charAt(i));
            }
            words.add(piece.toString());
        }
        return words;
    }

    /** The text as Helvetica (WinAnsi) can print it: control characters as spaces, anything it lacks as "?". */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(' ');
            } else {
                String s = new String(Character.toChars(c));
                b.append(encodable(s) ? s : "?");
            }
        });
        return b.toString();
    }

    private static boolean encodable(String s) {
        try {
            FONT.encode(s);
            BOLD.encode(s);
            return true;
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
    }
}
