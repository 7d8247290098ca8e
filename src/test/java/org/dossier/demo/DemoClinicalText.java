package org.dossier.demo;

import org.dossier.clinical.Note;
import org.dossier.prescribing.MedicationOrder;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The clinical words the demo hospital writes, for the dump scans (DumpScanTest, BaseBackupScanTest): what the generator
 * itself produces for a hospital of its own, so that a new drug or a new note template is looked for without anyone
 * listing it here. Sentences holding a date are left out: they differ from one hospital to another.
 */
public final class DemoClinicalText {

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static DemoCareGenerator generated;

    private DemoClinicalText() {
    }

    private static synchronized DemoCareGenerator generated() {
        if (generated == null) {
            DemoHospitalGenerator hospital = new DemoHospitalGenerator(7);
            PatientIndex index = new PatientIndex();
            hospital.patients(2000).forEachRemaining(index::add);
            generated = new DemoCareGenerator(7, Instant.now(), ZoneId.of("Europe/Paris"), hospital.units(), hospital.staff(), 3, 1);
            generated.generate(index);
        }
        return generated;
    }

    /** The names of the drugs the demo prescribes ("Paracétamol 1 g"). */
    public static Set<String> drugs() {
        Set<String> drugs = new TreeSet<>();
        generated().orders.stream().map(MedicationOrder::drug).forEach(drugs::add);
        return drugs;
    }

    /**
     * The admission reasons of the demo's stays ("Douleur thoracique"), sealed since V68; the shortest ("Malaise",
     * "Fièvre") left out, words a catalog or a note of any kind may hold.
     */
    public static Set<String> admissionReasons() {
        Set<String> reasons = new TreeSet<>();
        generated().stays.stream().map(org.dossier.care.Stay::admissionReason).forEach(reasons::add);
        reasons.removeIf(r -> r.length() < 10);
        return reasons;
    }

    /** The sentences of the demo's notes (titles and bodies cut at each ". "), without those holding a date. */
    public static Set<String> noteSentences() {
        Set<String> sentences = new TreeSet<>();
        for (Note note : generated().notes) {
            sentences.add(note.title());
            for (String s : note.body().split("\\.( |$)")) {
                sentences.add(s.strip());
            }
        }
        sentences.removeIf(s -> s.length() < 12 || DATE.matcher(s).find());
        return sentences;
    }
}
