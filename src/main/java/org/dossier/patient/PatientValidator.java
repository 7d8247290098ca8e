package org.dossier.patient;

import org.dossier.organization.Luhn;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/** Checks a patient record field by field, so that the caller learns every problem at once. */
final class PatientValidator {

    private static final Pattern NAME = Pattern.compile("\\p{L}[\\p{L} '\\-]{0,99}");
    private static final Pattern INSEE_COMMUNE = Pattern.compile("\\d{5}|2[AB]\\d{3}");
    private static final Pattern PHONE = Pattern.compile("\\+[1-9]\\d{7,14}|0[1-9]\\d{8}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");
    private static final Pattern POSTAL_CODE_FR = Pattern.compile("\\d{5}");
    private static final Set<String> INS_OIDS = Set.of(Nir.OID_INS_NIR, Nir.OID_INS_NIA, Nir.OID_INS_NIR_TEST);
    private static final Set<String> PHONE_USES = Set.of("MOBILE", "HOME", "WORK");
    private static final Set<String> EMAIL_USES = Set.of("HOME", "WORK");
    private static final Set<String> ADDRESS_USES = Set.of("HOME", "WORK", "TEMPORARY", "BILLING");
    private static final Set<String> CONTACT_ROLES = Set.of("TRUSTED_PERSON", "NEXT_OF_KIN", "BOTH");
    private static final LocalDate OLDEST_PLAUSIBLE = LocalDate.of(1900, 1, 1);

    private final Clock clock;
    private final List<FieldError> errors = new ArrayList<>();

    private PatientValidator(Clock clock) {
        this.clock = clock;
    }

    static void check(PatientData p, Clock clock) {
        PatientValidator v = new PatientValidator(clock);
        if (p == null) {
            throw new InvalidInputException("patient", "the patient record is required");
        }
        v.validate(p);
        if (!v.errors.isEmpty()) {
            throw new InvalidInputException(v.errors);
        }
    }

    /** A phone number as stored: digits and a leading '+' only. */
    static String normalizePhone(String number) {
        return number == null ? null : number.replaceAll("[\\s.\\-()]", "");
    }

    private void validate(PatientData p) {
        names(p);
        LocalDate today = LocalDate.now(clock);
        if (p.birthDate() == null) {
            error("birthDate", "is required (YYYY-MM-DD)");
        } else if (p.birthDate().isAfter(today)) {
            error("birthDate", "is in the future");
        } else if (p.birthDate().isBefore(OLDEST_PLAUSIBLE)) {
            error("birthDate", "is before 1900, which is not plausible");
        }
        if (p.sex() == null) {
            error("sex", "is required: F, M or U");
        }
        if (p.birthplaceCode() != null && !p.birthplaceCode().isBlank()
                && !INSEE_COMMUNE.matcher(p.birthplaceCode()).matches()) {
            error("birthplaceCode", "must be an INSEE code: 5 digits (99xxx for a country abroad) or 2A/2B and 3 digits");
        }
        if (p.identityStatus() == null) {
            error("identityStatus", "is required: PROVISIONAL, RECOVERED, VALIDATED or QUALIFIED");
        }
        ins(p);
        for (int i = 0; i < p.addresses().size(); i++) {
            address("addresses[" + i + "]", p.addresses().get(i));
        }
        each("phones", p.phones(), this::phoneEntry);
        each("emails", p.emails(), this::email);
        each("contacts", p.contacts(), this::contact);
        if (p.preferredPhysician() != null) {
            preferredPhysician(p.preferredPhysician());
        }
        coverage(p.coverage());
    }

    private void names(PatientData p) {
        name("birthFamilyName", p.birthFamilyName(), true);
        name("usedName", p.usedName(), false);
        if (p.givenNames() == null || p.givenNames().isBlank()) {
            error("givenNames", "at least one given name is required");
        } else {
            for (String given : p.givenNames().strip().split("\\s+")) {
                if (!NAME.matcher(given).matches()) {
                    error("givenNames", "'" + given + "' is not a name: letters, spaces, hyphens and apostrophes only");
                }
            }
        }
    }

    /** Checks every item of a list under its indexed field name; an empty (null) item is an error of its own. */
    private <T> void each(String field, List<T> items, BiConsumer<String, T> check) {
        for (int i = 0; i < items.size(); i++) {
            String f = field + "[" + i + "]";
            if (items.get(i) == null) {
                error(f, "is empty");
            } else {
                check.accept(f, items.get(i));
            }
        }
    }

    private void phoneEntry(String f, PatientData.Phone phone) {
        if (phone.use() == null || !PHONE_USES.contains(phone.use())) {
            error(f + ".use", "must be MOBILE, HOME or WORK");
        }
        phone(f + ".number", phone.number(), true);
    }

    private void email(String f, PatientData.Email email) {
        if (email.use() == null || !EMAIL_USES.contains(email.use())) {
            error(f + ".use", "must be HOME or WORK");
        }
        if (email.address() == null || email.address().length() > 254 || !EMAIL.matcher(email.address()).matches()) {
            error(f + ".address", "is not an e-mail address (name@domain.tld)");
        }
    }

    private void contact(String f, PatientData.RelatedPerson c) {
        if (c.role() == null || !CONTACT_ROLES.contains(c.role())) {
            error(f + ".role", "must be TRUSTED_PERSON, NEXT_OF_KIN or BOTH");
        }
        if (c.name() == null || c.name().isBlank()) {
            error(f + ".name", "is required");
        }
        phone(f + ".phone", c.phone(), false);
    }

    private void preferredPhysician(PatientData.PreferredPhysician d) {
        if (d.name() == null || d.name().isBlank()) {
            error("preferredPhysician.name", "is required");
        }
        if (d.rpps() != null && !d.rpps().isBlank() && !(d.rpps().matches("\\d{11}") && Luhn.isValid(d.rpps()))) {
            error("preferredPhysician.rpps", "must be 11 digits with a valid check digit");
        }
    }

    private void ins(PatientData p) {
        boolean hasIns = p.insMatricule() != null && !p.insMatricule().isBlank();
        if (hasIns) {
            if (!Nir.isValid(p.insMatricule())) {
                error("insMatricule", "is not a valid NIR/NIA: 15 characters whose last two are the key 97 - (number mod 97)");
            } else {
                if (p.sex() != null && !Nir.sexMatches(p.insMatricule(), p.sex())) {
                    error("insMatricule", "its first digit says the other sex than the one recorded");
                }
                if (p.birthDate() != null && !Nir.birthMatches(p.insMatricule(), p.birthDate())) {
                    error("insMatricule", "its year and month of birth (digits 2 to 5) differ from the birth date");
                }
            }
            if (p.insOid() == null || !INS_OIDS.contains(p.insOid())) {
                error("insOid", "must be the OID of the INS: " + Nir.OID_INS_NIR + " (NIR), " + Nir.OID_INS_NIA
                        + " (NIA) or " + Nir.OID_INS_NIR_TEST + " (test)");
            }
        } else if (p.insOid() != null && !p.insOid().isBlank()) {
            error("insOid", "is given without an INS matricule");
        }
        if (p.identityStatus() != null && p.identityStatus().requiresIns() && !hasIns) {
            error("insMatricule", "is required for identity status " + p.identityStatus());
        }
    }

    private void address(String f, PatientData.Address a) {
        if (a == null) {
            error(f, "is empty");
            return;
        }
        if (a.use() == null || !ADDRESS_USES.contains(a.use())) {
            error(f + ".use", "must be HOME, WORK, TEMPORARY or BILLING");
        }
        if (a.line() == null || a.line().isBlank() || a.line().length() > 200) {
            error(f + ".line", "is required (at most 200 characters)");
        }
        if (a.city() == null || a.city().isBlank()) {
            error(f + ".city", "is required");
        }
        boolean france = a.country() == null || a.country().isBlank() || "FR".equals(a.country());
        if (france && (a.postalCode() == null || !POSTAL_CODE_FR.matcher(a.postalCode()).matches())) {
            error(f + ".postalCode", "must be 5 digits for an address in France");
        }
        if (a.country() != null && !a.country().isBlank() && !a.country().matches("[A-Z]{2}")) {
            error(f + ".country", "must be an ISO 3166 two-letter code such as FR");
        }
        if (a.inseeCode() != null && !a.inseeCode().isBlank() && !INSEE_COMMUNE.matcher(a.inseeCode()).matches()) {
            error(f + ".inseeCode", "must be an INSEE commune code");
        }
    }

    private void coverage(PatientData.Coverage c) {
        if (c == null) {
            return;
        }
        if (c.nir() == null || !Nir.isValid(c.nir())) {
            error("coverage.nir", "is not a valid NIR: 15 characters whose last two are the key 97 - (number mod 97)");
        }
        if (c.amoScheme() == null || !c.amoScheme().matches("\\d{2}")) {
            error("coverage.amoScheme", "must be the 2-digit scheme code (01 for the general scheme)");
        }
        if (c.amoFund() == null || !c.amoFund().matches("\\d{3}")) {
            error("coverage.amoFund", "must be the 3-digit fund code");
        }
        if (c.amoCentre() != null && !c.amoCentre().isBlank() && !c.amoCentre().matches("\\d{4}")) {
            error("coverage.amoCentre", "must be the 4-digit centre code");
        }
        if (c.amcNumber() != null && !c.amcNumber().isBlank() && !c.amcNumber().matches("[0-9A-Z]{1,20}")) {
            error("coverage.amcNumber", "must be the complementary insurer's number: up to 20 digits or capital letters");
        }
        if (c.validFrom() == null) {
            error("coverage.validFrom", "is required");
        }
        if (c.validFrom() != null && c.validTo() != null && c.validTo().isBefore(c.validFrom())) {
            error("coverage.validTo", "is before validFrom");
        }
    }

    private void name(String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                error(field, "is required");
            }
            return;
        }
        if (!NAME.matcher(value.strip()).matches()) {
            error(field, "must be letters, spaces, hyphens and apostrophes, at most 100 characters");
        }
    }

    private void phone(String field, String number, boolean required) {
        if (number == null || number.isBlank()) {
            if (required) {
                error(field, "is required");
            }
            return;
        }
        if (!PHONE.matcher(normalizePhone(number)).matches()) {
            error(field, "is not a phone number: 10 digits starting with 0, or + and the international number");
        }
    }

    private void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }
}
