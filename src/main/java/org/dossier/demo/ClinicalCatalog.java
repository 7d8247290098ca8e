package org.dossier.demo;

import java.util.List;
import java.util.Map;

/** What the demo hospital's patients come for, suffer from, take and react to: plausible French clinical vocabulary. */
final class ClinicalCatalog {

    private ClinicalCatalog() {
    }

    static final Map<String, List<String>> ADMISSION_REASONS = Map.of(
            "CARDIO", List.of("Douleur thoracique", "Insuffisance cardiaque décompensée", "Fibrillation atriale rapide", "Syncope"),
            "URG", List.of("Traumatisme de la cheville", "Douleur abdominale", "Malaise", "Plaie de la main", "Dyspnée aiguë", "Fièvre"),
            "MED-INT", List.of("Altération de l'état général", "Pneumopathie", "Bilan de fièvre prolongée", "Anémie"),
            "CHIR", List.of("Cholécystite aiguë", "Appendicite", "Occlusion intestinale", "Hernie inguinale"),
            "PED", List.of("Bronchiolite", "Gastro-entérite avec déshydratation", "Crise d'asthme", "Fièvre du nourrisson"),
            "GER", List.of("Chute à domicile", "Syndrome confusionnel", "Déshydratation", "Perte d'autonomie"),
            "REA", List.of("Choc septique", "Détresse respiratoire aiguë", "Arrêt cardiaque récupéré"),
            "PNEUMO", List.of("Exacerbation de BPCO", "Pneumopathie hypoxémiante", "Embolie pulmonaire"),
            "NEURO", List.of("AVC ischémique", "Crise d'épilepsie", "Céphalées inhabituelles"),
            "CONSULT", List.of("Consultation de suivi", "Première consultation", "Résultats d'examens", "Renouvellement de traitement"));

    /** ICD-10 code, French label. */
    static final List<String[]> PROBLEMS = List.of(
            new String[]{"I10", "Hypertension artérielle essentielle"}, new String[]{"E11.9", "Diabète de type 2"},
            new String[]{"I50.9", "Insuffisance cardiaque"}, new String[]{"J44.9", "Bronchopneumopathie chronique obstructive"},
            new String[]{"N18.3", "Insuffisance rénale chronique stade 3"}, new String[]{"I48.9", "Fibrillation atriale"},
            new String[]{"E78.5", "Dyslipidémie"}, new String[]{"F32.9", "Épisode dépressif"}, new String[]{"K21.9", "Reflux gastro-œsophagien"},
            new String[]{"M17.9", "Gonarthrose"}, new String[]{"J45.9", "Asthme"}, new String[]{"E03.9", "Hypothyroïdie"},
            new String[]{"G40.9", "Épilepsie"}, new String[]{"I63.9", "Séquelles d'accident vasculaire cérébral"},
            new String[]{"E66.9", "Obésité"}, new String[]{"D50.9", "Anémie ferriprive"});

    /** Substance, ATC or class code (or null), typical reaction. */
    static final List<String[]> ALLERGIES = List.of(
            new String[]{"Pénicillines", "J01C", "Urticaire"}, new String[]{"Amoxicilline", "J01CA04", "Éruption cutanée"},
            new String[]{"AINS", "M01A", "Bronchospasme"}, new String[]{"Aspirine", "N02BA01", "Angio-œdème"},
            new String[]{"Produits de contraste iodés", "V08A", "Urticaire généralisée"}, new String[]{"Latex", null, "Eczéma de contact"},
            new String[]{"Codéine", "R05DA04", "Nausées, vomissements"}, new String[]{"Sulfamides", "J01E", "Éruption bulleuse"},
            new String[]{"Arachide", null, "Œdème de Quincke"}, new String[]{"Pollens de graminées", null, "Rhinite"});

    /** Drug, ATC, dose, route, frequency: none of them triggers the allergies above. */
    static final List<String[]> DRUGS = List.of(
            new String[]{"Paracétamol 1 g", "N02BE01", "1 g", "ORAL", "4 fois par jour si douleur"},
            new String[]{"Bisoprolol 2,5 mg", "C07AB07", "2,5 mg", "ORAL", "1 fois par jour"},
            new String[]{"Ramipril 5 mg", "C09AA05", "5 mg", "ORAL", "1 fois par jour"},
            new String[]{"Furosémide 40 mg", "C03CA01", "40 mg", "ORAL", "1 fois par jour le matin"},
            new String[]{"Atorvastatine 20 mg", "C10AA05", "20 mg", "ORAL", "1 fois par jour le soir"},
            new String[]{"Énoxaparine 4000 UI", "B01AB05", "4000 UI", "SC", "1 fois par jour"},
            new String[]{"Metformine 1000 mg", "A10BA02", "1000 mg", "ORAL", "2 fois par jour"},
            new String[]{"Oméprazole 20 mg", "A02BC01", "20 mg", "ORAL", "1 fois par jour"},
            new String[]{"Amlodipine 5 mg", "C08CA01", "5 mg", "ORAL", "1 fois par jour"},
            new String[]{"Apixaban 5 mg", "B01AF02", "5 mg", "ORAL", "2 fois par jour"},
            new String[]{"Insuline glargine", "A10AE04", "20 UI", "SC", "1 fois par jour au coucher"},
            new String[]{"Lévothyroxine 75 µg", "H03AA01", "75 µg", "ORAL", "1 fois par jour à jeun"},
            new String[]{"Salbutamol 100 µg", "R03AC02", "2 bouffées", "INHALED", "si gêne respiratoire"},
            new String[]{"Ceftriaxone 1 g", "J01DD04", "1 g", "IV", "1 fois par jour"},
            new String[]{"Chlorure de potassium 1 g", "A12BA01", "1 g", "ORAL", "3 fois par jour"});

    /** LOINC code, label, unit, low, high: the usual admission labs. */
    static final List<Object[]> LABS = List.of(
            new Object[]{"2823-3", "Potassium", "mmol/L", 3.2, 5.4}, new Object[]{"2951-2", "Sodium", "mmol/L", 132.0, 146.0},
            new Object[]{"2160-0", "Créatinine", "umol/L", 50.0, 180.0}, new Object[]{"718-7", "Hémoglobine", "g/dL", 9.0, 16.5},
            new Object[]{"1988-5", "Protéine C réactive", "mg/L", 1.0, 120.0});
}
