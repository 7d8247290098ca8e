package org.dossier.prescribing;

import org.dossier.clinical.Allergy;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the recorded allergies that a drug may trigger: same substance, same ATC class, or a member of
 * a known cross-reacting family. A seed list of the commonest families; a deployment plugs in its drug
 * database (Thériaque, BCB, Vidal) behind the same check.
 */
final class AllergyMatcher {

    /** A cross-reacting family: the names an allergy is written as, the substances and ATC classes that trigger it. */
    private record Family(List<String> allergyNames, List<String> substances, List<String> atcPrefixes) {
    }

    private static final List<Family> FAMILIES = List.of(
            new Family(List.of("penicilline", "betalactamine"), List.of("penicilline", "amoxicilline", "ampicilline", "oxacilline",
                    "cloxacilline", "piperacilline", "ticarcilline", "pivmecillinam"), List.of("J01C")),
            new Family(List.of("cephalosporine"), List.of("cefalexine", "cefazoline", "ceftriaxone", "cefotaxime", "cefuroxime",
                    "cefixime", "cefepime"), List.of("J01D")),
            new Family(List.of("sulfamide", "sulfamethoxazole"), List.of("sulfamethoxazole", "sulfadiazine", "cotrimoxazole"), List.of("J01E")),
            new Family(List.of("ains", "anti inflammatoire"), List.of("ibuprofene", "ketoprofene", "diclofenac", "naproxene", "aspirine",
                    "acide acetylsalicylique"), List.of("M01A", "N02BA")),
            new Family(List.of("aspirine", "acide acetylsalicylique"), List.of("aspirine", "acide acetylsalicylique"), List.of("N02BA", "B01AC06")),
            new Family(List.of("codeine", "opiace", "opioide", "morphine"), List.of("codeine", "morphine", "tramadol", "oxycodone"),
                    List.of("N02A", "R05DA04")),
            new Family(List.of("iode", "produit de contraste iode"), List.of("iohexol", "iopamidol", "iomeprol", "povidone iodee"),
                    List.of("V08A", "D08AG")),
            new Family(List.of("macrolide"), List.of("azithromycine", "clarithromycine", "erythromycine", "spiramycine"), List.of("J01FA")));

    private AllergyMatcher() {
    }

    static List<Allergy> conflicts(List<Allergy> allergies, String drug, String atcCode) {
        String drugKey = " " + key(drug) + " ";
        String atc = atcCode == null ? "" : atcCode.strip().toUpperCase(Locale.ROOT);
        List<Allergy> found = new ArrayList<>();
        for (Allergy a : allergies) {
            if (a.status() == Allergy.Status.ACTIVE && matches(a, drugKey, atc)) {
                found.add(a);
            }
        }
        return found;
    }

    private static boolean matches(Allergy a, String drugKey, String atc) {
        String substance = key(a.substance());
        String code = a.substanceCode() == null ? "" : a.substanceCode().strip().toUpperCase(Locale.ROOT);
        if (!substance.isEmpty() && drugKey.contains(" " + substance + " ")) {
            return true;
        }
        if (!code.isEmpty() && !atc.isEmpty() && atc.startsWith(code)) {
            return true;
        }
        for (Family f : FAMILIES) {
            boolean allergyInFamily = f.allergyNames().stream().anyMatch(substance::contains) || f.substances().contains(substance)
                    || (!code.isEmpty() && f.atcPrefixes().stream().anyMatch(code::startsWith));
            if (!allergyInFamily) {
                continue;
            }
            if (f.substances().stream().anyMatch(s -> drugKey.contains(" " + s + " "))
                    || (!atc.isEmpty() && f.atcPrefixes().stream().anyMatch(atc::startsWith))) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, no accents, no punctuation, no plural s: "Pénicillines" → "penicilline". */
    static String key(String s) {
        if (s == null) {
            return "";
        }
        String plain = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
        return plain.replaceAll("[^a-z0-9]+", " ").replaceAll("(?<=[a-z]{4})s\\b", "").strip();
    }
}
