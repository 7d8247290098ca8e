package org.dossier.fhir;

import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compares a resource an import was sent with the resource Dossier serves back, field by field: statuses, intent,
 * dates (same instant, same precision), every coding of the source (system and code) among the served codings,
 * categories, the people named (by identifier, else by name), and measured values (exactly the source's in its own
 * unit; else the source's converted to the served unit with UCUM, and the original kept beside it); an observation's
 * value of any type, data-absent reason, components (code, text, value), categories as grouped and period. Each difference is a line naming the
 * field, what was sent and what is served.
 */
final class RoundTrip {

    static final String ORIGINAL = "https://dossier.example/fhir/StructureDefinition/original-quantity";

    private final List<String> differences = new ArrayList<>();
    private final String where;

    private RoundTrip(String where) {
        this.where = where;
    }

    static List<String> compare(Resource sent, Resource served) {
        RoundTrip r = new RoundTrip(served.fhirType() + "/" + served.getIdElement().getIdPart() + " (sent " + sent.getIdElement().getIdPart() + ")");
        if (sent instanceof MedicationRequest m) {
            r.medicationRequest(m, (MedicationRequest) served);
        } else if (sent instanceof AllergyIntolerance a) {
            r.allergy(a, (AllergyIntolerance) served);
        } else if (sent instanceof Condition c) {
            r.condition(c, (Condition) served);
        } else if (sent instanceof Observation o) {
            r.observation(o, (Observation) served);
        } else if (sent instanceof org.hl7.fhir.r4.model.Procedure p) {
            r.procedure(p, (org.hl7.fhir.r4.model.Procedure) served);
        } else if (sent instanceof org.hl7.fhir.r4.model.Immunization i) {
            r.immunization(i, (org.hl7.fhir.r4.model.Immunization) served);
        } else {
            throw new IllegalArgumentException(sent.fhirType());
        }
        return r.differences;
    }

    private void medicationRequest(MedicationRequest sent, MedicationRequest served) {
        same("status", code(sent.getStatusElement()), code(served.getStatusElement()));
        same("intent", code(sent.getIntentElement()), code(served.getIntentElement()));
        sameTime("authoredOn", sent.hasAuthoredOn() ? sent.getAuthoredOnElement() : null, served.hasAuthoredOn() ? served.getAuthoredOnElement() : null);
        if (sent.hasMedicationCodeableConcept()) {
            codings("medication", sent.getMedicationCodeableConcept(), served.getMedicationCodeableConcept());
        }
        categories("category", sent.getCategory(), served.getCategory());
        if (sent.hasRequester()) {
            party("requester", sent.getRequester(), served.getRequester());
        }
    }

    private void allergy(AllergyIntolerance sent, AllergyIntolerance served) {
        same("clinicalStatus", first(sent.getClinicalStatus()), first(served.getClinicalStatus()));
        same("verificationStatus", first(sent.getVerificationStatus()), first(served.getVerificationStatus()));
        same("type", code(sent.getTypeElement()), code(served.getTypeElement()));
        same("category", set(sent.getCategory(), Enumeration::getCode), set(served.getCategory(), Enumeration::getCode));
        same("criticality", code(sent.getCriticalityElement()), code(served.getCriticalityElement()));
        codings("code", sent.getCode(), served.getCode());
        sameTime("recordedDate", sent.hasRecordedDate() ? sent.getRecordedDateElement() : null,
                served.hasRecordedDate() ? served.getRecordedDateElement() : null);
        if (sent.hasRecorder()) {
            party("recorder", sent.getRecorder(), served.getRecorder());
        }
    }

    private void condition(Condition sent, Condition served) {
        same("clinicalStatus", first(sent.getClinicalStatus()), first(served.getClinicalStatus()));
        same("verificationStatus", first(sent.getVerificationStatus()), first(served.getVerificationStatus()));
        categories("category", sent.getCategory(), served.getCategory());
        codings("code", sent.getCode(), served.getCode());
        sameTime("onset", sent.hasOnsetDateTimeType() ? sent.getOnsetDateTimeType() : null,
                served.hasOnsetDateTimeType() ? served.getOnsetDateTimeType() : null);
        sameTime("abatement", sent.hasAbatementDateTimeType() ? sent.getAbatementDateTimeType() : null,
                served.hasAbatementDateTimeType() ? served.getAbatementDateTimeType() : null);
        sameTime("recordedDate", sent.hasRecordedDate() ? sent.getRecordedDateElement() : null,
                served.hasRecordedDate() ? served.getRecordedDateElement() : null);
        if (sent.hasRecorder()) {
            party("recorder", sent.getRecorder(), served.getRecorder());
        }
    }

    private void observation(Observation sent, Observation served) {
        same("status", code(sent.getStatusElement()), code(served.getStatusElement()));
        categories("category", sent.getCategory(), served.getCategory());
        for (CodeableConcept category : sent.getCategory()) {
            // Grouped as sent: a category of several codings or with a text comes back as one category, with its text.
            if ((category.getCoding().size() > 1 || category.hasText()) && served.getCategory().stream().noneMatch(c -> codes(c).equals(codes(category))
                    && Objects.equals(category.getText(), c.getText()))) {
                differences.add(where + ": category " + codes(category) + " \"" + category.getText() + "\" sent as one, not served so");
            }
        }
        codings("code", sent.getCode(), served.getCode());
        if (sent.getCode().hasText()) {
            same("code.text", sent.getCode().getText(), served.getCode().getText());
        }
        same("effective[x]", sent.hasEffective() ? sent.getEffective().fhirType() : null, served.hasEffective() ? served.getEffective().fhirType() : null);
        sameTime("effective", sent.hasEffectiveDateTimeType() ? sent.getEffectiveDateTimeType() : null,
                served.hasEffectiveDateTimeType() ? served.getEffectiveDateTimeType() : null);
        if (sent.hasEffectivePeriod() && served.hasEffectivePeriod()) {
            sameTime("effectivePeriod.start", sent.getEffectivePeriod().hasStart() ? sent.getEffectivePeriod().getStartElement() : null,
                    served.getEffectivePeriod().hasStart() ? served.getEffectivePeriod().getStartElement() : null);
            sameTime("effectivePeriod.end", sent.getEffectivePeriod().hasEnd() ? sent.getEffectivePeriod().getEndElement() : null,
                    served.getEffectivePeriod().hasEnd() ? served.getEffectivePeriod().getEndElement() : null);
        }
        same("value[x]", sent.hasValue() ? sent.getValue().fhirType() : null, served.hasValue() ? served.getValue().fhirType() : null);
        if (sent.hasValueQuantity()) {
            quantity("value", sent.getValueQuantity(), served.hasValueQuantity() ? served.getValueQuantity() : null);
            if (served.hasValueQuantity() && !sameUnit(sent.getValueQuantity(), served.getValueQuantity())) {
                var original = served.getValueQuantity().getExtensionByUrl(ORIGINAL);
                Quantity kept = original == null ? null : (Quantity) original.getValue();
                same("value (original)", sent.getValueQuantity().getValue() + " " + unit(sent.getValueQuantity()),
                        kept == null ? null : kept.getValue() + " " + unit(kept));
            }
        } else if (sent.hasValue()) {
            deep("value", sent.getValue(), served.hasValue() ? served.getValue() : null);
        }
        deep("dataAbsentReason", sent.hasDataAbsentReason() ? sent.getDataAbsentReason() : null,
                served.hasDataAbsentReason() ? served.getDataAbsentReason() : null);
        same("components", sent.getComponent().size(), served.getComponent().size());
        // A blood pressure's two pressures are the record's own columns, served with LOINC's names for them.
        boolean pressures = codes(sent.getCode()).contains(FhirCodes.LOINC + "|85354-9") && served.getComponent().size() == 2
                && served.getComponent().stream().allMatch(c -> c.hasValueQuantity() && !c.getCode().hasText());
        for (int i = 0; i < sent.getComponent().size(); i++) {
            var component = sent.getComponent().get(i);
            String field = "component " + codes(component.getCode());
            var match = pressures ? served.getComponent().stream().filter(c -> !codes(component.getCode()).isEmpty()
                    && codes(c.getCode()).containsAll(codes(component.getCode()))).findFirst().orElse(null)
                    : i < served.getComponent().size() ? served.getComponent().get(i) : null;
            if (match == null) {
                differences.add(where + ": " + field + " sent, not served");
                continue;
            }
            codings(field + " code", component.getCode(), match.getCode());
            if (!pressures) {
                same(field + " code.text", component.getCode().getText(), match.getCode().getText());
            }
            same(field + " value[x]", component.hasValue() ? component.getValue().fhirType() : null, match.hasValue() ? match.getValue().fhirType() : null);
            if (component.hasValueQuantity()) {
                quantity(field, component.getValueQuantity(), match.hasValueQuantity() ? match.getValueQuantity() : null);
                if (!pressures && match.hasValueQuantity()) {
                    same(field + " unit", component.getValueQuantity().getUnit(), match.getValueQuantity().getUnit());
                    same(field + " code", unit(component.getValueQuantity()), unit(match.getValueQuantity()));
                }
            } else if (component.hasValue()) {
                deep(field + " value", component.getValue(), match.hasValue() ? match.getValue() : null);
            }
            deep(field + " dataAbsentReason", component.hasDataAbsentReason() ? component.getDataAbsentReason() : null,
                    match.hasDataAbsentReason() ? match.getDataAbsentReason() : null);
        }
        if (sent.hasPerformer()) {
            for (Reference p : sent.getPerformer()) {
                if (served.getPerformer().stream().noneMatch(s -> sameParty(p, s))) {
                    differences.add(where + ": performer " + describe(p) + " sent, served " + served.getPerformer().stream()
                            .map(RoundTrip::describe).toList());
                }
            }
        }
    }

    /**
     * A record kept as sent (ADR 0026): served, it must equal its source in every field but {@code id} and {@code meta},
     * and each reference resolved as the import says: to where the entry it named was stored ({@code locations}, by
     * fullUrl), its original kept as identifier; a conditional one to the identifier it names; one to an entry not
     * stored, to its original as identifier. Displays stay as sent.
     */
    static List<String> compareKept(Resource sent, Resource served, java.util.Map<String, String> locations) {
        RoundTrip r = new RoundTrip(served.fhirType() + "/" + served.getIdElement().getIdPart() + " (sent " + sent.getIdElement().getIdPart() + ")");
        Resource a = sent.copy();
        Resource b = served.copy();
        a.setIdElement(null);
        b.setIdElement(null);
        a.setMeta(null);
        b.setMeta(null);
        var terser = ca.uhn.fhir.context.FhirContext.forR4Cached().newTerser();
        List<Reference> ra = terser.getAllPopulatedChildElementsOfType(a, Reference.class);
        List<Reference> rb = terser.getAllPopulatedChildElementsOfType(b, Reference.class);
        if (ra.size() != rb.size()) {
            r.differences.add(r.where + ": " + ra.size() + " references sent, " + rb.size() + " served");
            return r.differences;
        }
        for (int i = 0; i < ra.size(); i++) {
            Reference x = ra.get(i);
            Reference y = rb.get(i);
            String original = x.getReference();
            String resolved = original == null ? null : locations.get(original);
            boolean ok;
            if (original == null || original.startsWith("#") || original.matches("Patient/\\d+")) {
                ok = java.util.Objects.equals(original, y.getReference());
            } else if (resolved != null) {
                ok = resolved.equals(y.getReference()) && original.equals(y.getIdentifier().getValue());
            } else if (original.contains("?identifier=")) {
                String token = original.substring(original.indexOf("?identifier=") + "?identifier=".length());
                ok = !y.hasReference() && original.startsWith(y.getType() + "?")
                        && token.equals((y.getIdentifier().hasSystem() ? y.getIdentifier().getSystem() + "|" : "") + y.getIdentifier().getValue());
            } else {
                ok = !y.hasReference() && original.equals(y.getIdentifier().getValue());
            }
            if (!ok || !java.util.Objects.equals(x.getDisplay(), y.getDisplay())) {
                r.differences.add(r.where + ": reference " + original + " (" + x.getDisplay() + ") served as " + y.getReference() + " "
                        + y.getType() + " " + y.getIdentifier().getSystem() + "|" + y.getIdentifier().getValue() + " (" + y.getDisplay() + ")");
            }
            for (Reference z : List.of(x, y)) {
                z.setReference(null).setType(null).setIdentifier(null);
            }
        }
        if (!a.equalsDeep(b)) {
            var json = ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser();
            String sa = json.encodeResourceToString(a);
            String sb = json.encodeResourceToString(b);
            int at = 0;
            while (at < Math.min(sa.length(), sb.length()) && sa.charAt(at) == sb.charAt(at)) {
                at++;
            }
            r.differences.add(r.where + ": content differs at " + at + ": sent …" + sa.substring(Math.max(0, at - 40), Math.min(sa.length(), at + 60))
                    + " served …" + sb.substring(Math.max(0, at - 40), Math.min(sb.length(), at + 60)));
        }
        return r.differences;
    }

    /** The same element, exactly (every coding with its display, the text, the value as written). */
    private void deep(String field, org.hl7.fhir.r4.model.Base sent, org.hl7.fhir.r4.model.Base served) {
        if (sent == null && served == null) {
            return;
        }
        if (sent == null || served == null || !sent.equalsDeep(served)) {
            differences.add(where + ": " + field + " " + show(sent) + " sent, served " + show(served));
        }
    }

    private static String show(org.hl7.fhir.r4.model.Base b) {
        if (b == null) {
            return "nothing";
        }
        if (b instanceof CodeableConcept c) {
            return codes(c) + " \"" + c.getText() + "\"";
        }
        return b.isPrimitive() ? b.primitiveValue() : b.fhirType();
    }

    private void procedure(org.hl7.fhir.r4.model.Procedure sent, org.hl7.fhir.r4.model.Procedure served) {
        same("status", code(sent.getStatusElement()), code(served.getStatusElement()));
        codings("code", sent.getCode(), served.getCode());
        if (sent.hasCategory()) {
            categories("category", List.of(sent.getCategory()), served.hasCategory() ? List.of(served.getCategory()) : List.of());
        }
        same("performed[x]", sent.hasPerformed() ? sent.getPerformed().fhirType() : null, served.hasPerformed() ? served.getPerformed().fhirType() : null);
        if (sent.hasPerformedPeriod() && served.hasPerformedPeriod()) {
            sameTime("performedPeriod.start", sent.getPerformedPeriod().getStartElement(), served.getPerformedPeriod().getStartElement());
            sameTime("performedPeriod.end", sent.getPerformedPeriod().hasEnd() ? sent.getPerformedPeriod().getEndElement() : null,
                    served.getPerformedPeriod().hasEnd() ? served.getPerformedPeriod().getEndElement() : null);
        } else if (sent.hasPerformedDateTimeType() && served.hasPerformedDateTimeType()) {
            sameTime("performedDateTime", sent.getPerformedDateTimeType(), served.getPerformedDateTimeType());
        }
        performers(sent.getPerformer().stream().map(x -> x.getActor()).toList(), served.getPerformer().stream().map(x -> x.getActor()).toList());
    }

    private void immunization(org.hl7.fhir.r4.model.Immunization sent, org.hl7.fhir.r4.model.Immunization served) {
        same("status", code(sent.getStatusElement()), code(served.getStatusElement()));
        codings("vaccineCode", sent.getVaccineCode(), served.getVaccineCode());
        sameTime("occurrence", sent.hasOccurrenceDateTimeType() ? sent.getOccurrenceDateTimeType() : null,
                served.hasOccurrenceDateTimeType() ? served.getOccurrenceDateTimeType() : null);
        sameTime("recorded", sent.hasRecorded() ? sent.getRecordedElement() : null, served.hasRecorded() ? served.getRecordedElement() : null);
        same("primarySource", sent.hasPrimarySource() ? sent.getPrimarySource() : null, served.hasPrimarySource() ? served.getPrimarySource() : null);
        performers(sent.getPerformer().stream().map(x -> x.getActor()).toList(), served.getPerformer().stream().map(x -> x.getActor()).toList());
    }

    private void performers(List<Reference> sent, List<Reference> served) {
        for (Reference p : sent) {
            if (served.stream().noneMatch(s -> sameParty(p, s))) {
                differences.add(where + ": performer " + describe(p) + " sent, served " + served.stream().map(RoundTrip::describe).toList());
            }
        }
    }

    private void quantity(String field, Quantity sent, Quantity served) {
        if (served == null) {
            differences.add(where + ": " + field + " " + sent.getValue() + " " + unit(sent) + " sent, none served");
            return;
        }
        if (sameUnit(sent, served)) {
            // In its own unit a number comes back exactly, every decimal sent.
            if (served.getValue() == null || sent.getValue().compareTo(served.getValue()) != 0) {
                differences.add(where + ": " + field + " " + sent.getValue() + " " + unit(sent) + " sent, served " + served.getValue() + " " + unit(served));
            }
            return;
        }
        BigDecimal expected = convert(sent.getValue(), unit(sent), unit(served));
        if (expected == null || expected.subtract(served.getValue()).abs().compareTo(new BigDecimal("0.01").max(expected.abs().movePointLeft(4))) > 0) {
            differences.add(where + ": " + field + " " + sent.getValue() + " " + unit(sent) + " sent (" + expected + " " + unit(served)
                    + "), served " + served.getValue() + " " + unit(served));
        }
    }

    private static boolean sameUnit(Quantity a, Quantity b) {
        return Objects.equals(unit(a), unit(b));
    }

    private static String unit(Quantity q) {
        return q.hasCode() ? q.getCode() : q.getUnit();
    }

    /** The test's own arithmetic from UCUM's definitions (not the server's table): what a converted value must be. */
    static BigDecimal convert(BigDecimal value, String from, String to) {
        double v = value.doubleValue();
        Double out = switch (from + ">" + to) {
            case "[degF]>Cel" -> (v - 32) * 5 / 9;
            case "K>Cel" -> v - 273.15;
            case "[lb_av]>kg" -> v * 0.45359237;
            case "g>kg" -> v / 1000;
            case "[oz_av]>kg" -> v * 0.028349523125;
            case "[in_i]>cm" -> v * 2.54;
            case "m>cm" -> v * 100;
            case "mm>cm" -> v / 10;
            case "[ft_i]>cm" -> v * 30.48;
            default -> null;
        };
        return out == null ? null : BigDecimal.valueOf(out);
    }

    private void codings(String field, CodeableConcept sent, CodeableConcept served) {
        Set<String> missing = new TreeSet<>(codes(sent));
        missing.removeAll(codes(served));
        if (!missing.isEmpty()) {
            differences.add(where + ": " + field + " codings " + missing + " sent, not served (served " + codes(served) + ")");
        }
    }

    private void categories(String field, List<CodeableConcept> sent, List<CodeableConcept> served) {
        Set<String> all = served.stream().flatMap(c -> codes(c).stream()).collect(Collectors.toSet());
        sent.forEach(c -> codes(c).stream().filter(x -> !all.contains(x)).forEach(x ->
                differences.add(where + ": " + field + " " + x + " sent, served " + all)));
    }

    private static Set<String> codes(CodeableConcept c) {
        return c == null ? Set.of() : c.getCoding().stream().filter(Coding::hasCode).map(x -> x.getSystem() + "|" + x.getCode())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private void party(String field, Reference sent, Reference served) {
        if (!sameParty(sent, served)) {
            differences.add(where + ": " + field + " " + describe(sent) + " sent, served " + describe(served));
        }
    }

    /** A conditional reference (Practitioner?identifier=system|value) names the same party as a served identifier. */
    private static boolean sameParty(Reference sent, Reference served) {
        if (served == null || served.isEmpty()) {
            return false;
        }
        String ref = sent.getReference();
        if (ref != null && ref.contains("?identifier=")) {
            String token = ref.substring(ref.indexOf("?identifier=") + "?identifier=".length());
            return served.hasIdentifier() && token.equals(served.getIdentifier().getSystem() + "|" + served.getIdentifier().getValue());
        }
        return sent.hasDisplay() && served.hasDisplay() && BundleImport.withoutDigits(sent.getDisplay()).equals(served.getDisplay());
    }

    private static String describe(Reference r) {
        if (r == null || r.isEmpty()) {
            return "nothing";
        }
        return r.hasReference() ? r.getReference() : r.hasIdentifier() ? r.getIdentifier().getSystem() + "|" + r.getIdentifier().getValue()
                : r.getDisplay();
    }

    private void sameTime(String field, BaseDateTimeType sent, BaseDateTimeType served) {
        if (sent == null && served == null) {
            return;
        }
        if (sent == null || served == null || sent.getPrecision() != served.getPrecision()
                || !sent.getValue().toInstant().equals(served.getValue().toInstant())) {
            differences.add(where + ": " + field + " " + (sent == null ? "nothing" : sent.getValueAsString()) + " sent, served "
                    + (served == null ? "nothing" : served.getValueAsString()));
        }
    }

    private void same(String field, Object sent, Object served) {
        if (!Objects.equals(sent, served)) {
            differences.add(where + ": " + field + " " + sent + " sent, served " + served);
        }
    }

    private static String code(Enumeration<?> e) {
        return e == null || !e.hasValue() ? null : e.getCode();
    }

    private static String first(CodeableConcept c) {
        return c == null || c.getCoding().isEmpty() ? null : c.getCodingFirstRep().getCode();
    }

    private static <T> Set<String> set(List<T> items, Function<T, String> f) {
        return items.stream().map(f).collect(Collectors.toCollection(TreeSet::new));
    }
}
