package org.dossier.demo;

import org.dossier.organization.CareUnit;
import org.dossier.organization.Facility;
import org.dossier.organization.Luhn;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.organization.UnitKind;
import org.dossier.patient.IdentityStatus;
import org.dossier.patient.Nir;
import org.dossier.patient.bulk.PatientBulkLoader.BulkPatient;
import org.dossier.patient.PatientData;
import org.dossier.patient.Sex;

import java.text.Normalizer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic demo hospital group: the same seed and size always give the same facilities, staff
 * and patients, byte for byte, so that tests, benchmarks and simulations can rely on it.
 */
final class DemoHospitalGenerator {

    public static final long DEFAULT_SEED = 20241122L;
    /** Generated records are dated at this instant so that the output does not depend on the day it runs. */
    static final Instant EPOCH = Instant.parse("2026-01-05T08:00:00Z");
    static final LocalDate REFERENCE_DAY = LocalDate.of(2026, 1, 5);

    private final long seed;

    public DemoHospitalGenerator(long seed) {
        this.seed = seed;
    }

    // ---------------------------------------------------------------- organization

    public List<Facility> facilities() {
        return List.of(
                new Facility(1, finess("6900001"), "Hôpital Nord Rhône-Saône", "Villeurbanne"),
                new Facility(2, finess("6900002"), "Hôpital Sud Rhône-Saône", "Vénissieux"),
                new Facility(3, finess("6900003"), "Clinique du Parc", "Bron"));
    }

    private static final Object[][] UNIT_PLAN = {
            {"CARDIO", "Cardiologie", UnitKind.WARD, 30},
            {"URG", "Urgences", UnitKind.EMERGENCY, 24},
            {"MED-INT", "Médecine interne", UnitKind.WARD, 40},
            {"CHIR", "Chirurgie digestive", UnitKind.WARD, 35},
            {"PED", "Pédiatrie", UnitKind.WARD, 25},
            {"GER", "Gériatrie", UnitKind.WARD, 30},
            {"REA", "Réanimation", UnitKind.INTENSIVE_CARE, 12},
            {"PNEUMO", "Pneumologie", UnitKind.WARD, 25},
            {"NEURO", "Neurologie", UnitKind.WARD, 25},
            {"CONSULT", "Consultations externes", UnitKind.OUTPATIENT, 0},
    };

    public List<CareUnit> units() {
        List<CareUnit> units = new ArrayList<>();
        int id = 1;
        for (Facility f : facilities()) {
            int count = f.id() == 3 ? 6 : UNIT_PLAN.length;
            for (int i = 0; i < count; i++) {
                Object[] u = UNIT_PLAN[i];
                int beds = f.id() == 3 ? ((int) u[3]) * 2 / 3 : (int) u[3];
                units.add(new CareUnit(id++, f.id(), (String) u[0], (String) u[1], (UnitKind) u[2], beds));
            }
        }
        return units;
    }

    /** Named accounts for people and tools, then about 500 generated staff across roles. */
    public List<StaffMember> staff() {
        List<CareUnit> units = units();
        Map<String, CareUnit> byKey = new HashMap<>();
        units.forEach(u -> byKey.put(u.facilityId() + ":" + u.code(), u));
        SplittableRandom random = new SplittableRandom(seed ^ 0x5EEDL);
        List<StaffMember> staff = new ArrayList<>();
        Set<String> usernames = new HashSet<>();
        int[] rppsCounter = {0};

        for (DemoAccounts.Account a : DemoAccounts.ALL) {
            if (DemoAccounts.ADDED_AFTER_GENERATED.contains(a.username())) {
                usernames.add(a.username());
                continue;
            }
            staff.add(named(staff.size() + 1, a, byKey, rppsCounter));
            usernames.add(a.username());
        }
        for (Facility f : facilities()) {
            List<CareUnit> facilityUnits = units.stream().filter(u -> u.facilityId() == f.id()).toList();
            for (CareUnit u : facilityUnits) {
                int physicians = u.kind() == UnitKind.OUTPATIENT ? 10 : u.kind() == UnitKind.EMERGENCY ? 8 : 6;
                int nurses = u.kind() == UnitKind.OUTPATIENT ? 5 : Math.max(8, u.beds() * 2 / 5);
                for (int i = 0; i < physicians; i++) {
                    staff.add(generated(staff.size() + 1, random, usernames, Role.PHYSICIAN, f.id(), Set.of(u.id()), rpps(rppsCounter)));
                }
                for (int i = 0; i < nurses; i++) {
                    staff.add(generated(staff.size() + 1, random, usernames, Role.NURSE, f.id(), Set.of(u.id()), rpps(rppsCounter)));
                }
            }
            int scale = f.id() == 3 ? 1 : 2;
            // Each clinic desk serves two of the facility's outpatient clinics (its work of the day is theirs, ADR 0018); the
            // units are dealt round robin, so the random stream, and so the rest of the demo, is unchanged.
            List<Integer> clinics = facilityUnits.stream().filter(u -> u.kind() == UnitKind.OUTPATIENT).map(CareUnit::id).toList();
            for (int i = 0; i < 6 * scale; i++) {
                Set<Integer> desk = clinics.isEmpty() ? Set.of()
                        : new LinkedHashSet<>(List.of(clinics.get(i % clinics.size()), clinics.get((i + 1) % clinics.size())));
                staff.add(generated(staff.size() + 1, random, usernames, Role.FRONT_DESK, f.id(), desk, null));
            }
            for (int i = 0; i < 4 * scale; i++) {
                staff.add(generated(staff.size() + 1, random, usernames, Role.BILLING, f.id(), Set.of(), null));
            }
            staff.add(generated(staff.size() + 1, random, usernames, Role.ADMIN, f.id(), Set.of(), null));
        }
        for (DemoAccounts.Account a : DemoAccounts.ALL) {
            if (DemoAccounts.ADDED_AFTER_GENERATED.contains(a.username())) {
                staff.add(named(staff.size() + 1, a, byKey, rppsCounter));
            }
        }
        return staff;
    }

    private StaffMember named(long id, DemoAccounts.Account a, Map<String, CareUnit> byKey, int[] rppsCounter) {
        Set<Integer> unitIds = new LinkedHashSet<>();
        for (String unitCode : a.units()) {
            unitIds.add(byKey.get(a.facilityIds().iterator().next() + ":" + unitCode).id());
        }
        String rpps = a.role().isClinical() ? rpps(rppsCounter) : null;
        return member(id, a.username(), a.displayName(), rpps, EnumSet.of(a.role()), a.facilityIds(), unitIds);
    }

    private StaffMember generated(long id, SplittableRandom random, Set<String> usernames, Role role, int facilityId,
                                  Set<Integer> units, String rpps) {
        boolean female = random.nextInt(100) < (role == Role.NURSE ? 85 : 55);
        String given = pick(random, female ? FrenchNames.GIVEN_FEMALE : FrenchNames.GIVEN_MALE);
        String family = skewedPick(random, FrenchNames.FAMILY);
        String base = ascii(given.substring(0, 1) + family).replace(" ", "").replace("'", "");
        String username = base;
        for (int n = 2; usernames.contains(username); n++) {
            username = base + n;
        }
        usernames.add(username);
        String display = (role == Role.PHYSICIAN ? "Dr " : "") + given + " " + family;
        return member(id, username, display, rpps, EnumSet.of(role), Set.of(facilityId), units);
    }

    private static StaffMember member(long id, String username, String display, String rpps, Set<Role> roles,
                                      Set<Integer> facilities, Set<Integer> units) {
        return new StaffMember(id, username, display, rpps, StaffStatus.ACTIVE, Set.copyOf(roles), Set.copyOf(facilities),
                Set.copyOf(units), 1, EPOCH, EPOCH);
    }

    // ---------------------------------------------------------------- patients

    /**
     * Patients 1..count, spread over the facilities (50 %, 30 %, 20 %). Each patient's fields come from a
     * random stream of its own, so any prefix of the sequence is the same whatever the total.
     */
    public PatientStream patients(int count) {
        return new PatientStream(count);
    }

    /** The generated patients in order; once consumed it tells where each facility's IPP counter stands. */
    public final class PatientStream implements Iterator<BulkPatient> {
        private final int count;
        private final Map<String, Integer> nirOrders = new HashMap<>();
        private final Map<Integer, Long> nextIpp = new HashMap<>(Map.of(1, 1L, 2, 1L, 3, 1L));
        private int next = 1;

        private PatientStream(int count) {
            this.count = count;
        }

        @Override
        public boolean hasNext() {
            return next <= count;
        }

        @Override
        public BulkPatient next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = next++;
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            int roll = r.nextInt(10);
            int facility = roll < 5 ? 1 : roll < 8 ? 2 : 3;
            long ippNumber = nextIpp.merge(facility, 1L, Long::sum) - 1;
            String ipp = facility + digits(ippNumber, 8);
            return new BulkPatient(i, facility, ipp, patient(r, nirOrders), EPOCH.minusSeconds(r.nextLong(86_400L * 3650)));
        }

        public Map<Integer, Long> nextIppByFacility() {
            return Map.copyOf(nextIpp);
        }
    }

    private PatientData patient(SplittableRandom r, Map<String, Integer> nirOrders) {
        Sex sex = r.nextInt(1000) < 2 ? Sex.U : r.nextBoolean() ? Sex.F : Sex.M;
        boolean female = sex == Sex.F || (sex == Sex.U && r.nextBoolean());
        LocalDate birthDate = birthDate(r);
        String family = skewedPick(r, FrenchNames.FAMILY);
        String given = given(r, female);
        int age = REFERENCE_DAY.getYear() - birthDate.getYear();
        String usedName = female && age >= 25 && r.nextInt(100) < 45 ? skewedPick(r, FrenchNames.FAMILY) : null;
        if (family.equals(usedName)) {
            usedName = null;
        }
        boolean abroad = r.nextInt(100) < 9;
        String birthplace = abroad ? pick(r, FrenchNames.COUNTRIES_OF_BIRTH) : pick(r, FrenchNames.BIRTH_COMMUNES).inseeCode();

        int statusRoll = r.nextInt(100);
        IdentityStatus status = statusRoll < 62 ? IdentityStatus.QUALIFIED : statusRoll < 77 ? IdentityStatus.RECOVERED
                : statusRoll < 90 ? IdentityStatus.VALIDATED : IdentityStatus.PROVISIONAL;
        boolean hasIns = status.requiresIns() || (status == IdentityStatus.VALIDATED && r.nextBoolean());
        String nir = nir(sex == Sex.U ? (female ? Sex.F : Sex.M) : sex, birthDate, birthplace, nirOrders);
        String ins = hasIns && sex != Sex.U ? nir : null;

        FrenchNames.Commune home = r.nextInt(100) < 88 ? pick(r, FrenchNames.LOCAL_COMMUNES) : pick(r, FrenchNames.BIRTH_COMMUNES);
        List<PatientData.Address> addresses = List.of(new PatientData.Address("HOME",
                (1 + r.nextInt(180)) + " " + pick(r, FrenchNames.STREET_TYPES) + " " + pick(r, FrenchNames.STREET_NAMES),
                home.postalCode(), home.name(), home.inseeCode(), "FR"));
        List<PatientData.Phone> phones = phones(r, age);
        List<PatientData.Email> emails = emails(r, age, given, family);
        List<PatientData.RelatedPerson> contacts = contacts(r, age, family);
        PatientData.PreferredPhysician gp = preferredPhysician(r);
        PatientData.Coverage coverage = r.nextInt(100) < 96 ? coverage(r, age, nir, birthDate, nirOrders) : null;
        return new PatientData(family, usedName, given, birthDate, sex, birthplace, ins, ins == null ? null : Nir.OID_INS_NIR_TEST,
                status, addresses, phones, emails, contacts, gp, coverage);
    }

    private String given(SplittableRandom r, boolean female) {
        String given = pick(r, female ? FrenchNames.GIVEN_FEMALE : FrenchNames.GIVEN_MALE);
        if (r.nextInt(100) < 35) {
            String second = pick(r, female ? FrenchNames.GIVEN_FEMALE : FrenchNames.GIVEN_MALE);
            if (!second.equals(given)) {
                given = given + " " + second;
            }
        }
        return given;
    }

    private List<PatientData.Phone> phones(SplittableRandom r, int age) {
        List<PatientData.Phone> phones = new ArrayList<>();
        if (age >= 12 && r.nextInt(100) < 88) {
            // 06 39 98 xx xx is a range reserved for fiction: no real person is ever called by the demo.
            phones.add(new PatientData.Phone("MOBILE", "063998" + digits(r.nextInt(10_000), 4)));
        }
        if (r.nextInt(100) < 30) {
            phones.add(new PatientData.Phone("HOME", "046571" + digits(r.nextInt(10_000), 4)));
        }
        return phones;
    }

    private List<PatientData.Email> emails(SplittableRandom r, int age, String given, String family) {
        return age >= 15 && r.nextInt(100) < 55
                ? List.of(new PatientData.Email("HOME", ascii(given.split(" ")[0] + "." + family).replace(" ", "-")
                + (r.nextInt(100) < 40 ? Integer.toString(r.nextInt(99)) : "") + "@" + pick(r, List.of("example.fr", "example.com", "example.net"))))
                : List.of();
    }

    private List<PatientData.RelatedPerson> contacts(SplittableRandom r, int age, String family) {
        List<PatientData.RelatedPerson> contacts = new ArrayList<>();
        if (r.nextInt(100) < (age < 18 || age > 70 ? 90 : 45)) {
            String relationship = age < 18 ? (r.nextBoolean() ? "mère" : "père") : pick(r, List.of("conjoint", "fille", "fils", "sœur", "frère", "ami"));
            contacts.add(new PatientData.RelatedPerson(pick(r, List.of("TRUSTED_PERSON", "NEXT_OF_KIN", "BOTH")),
                    pick(r, r.nextBoolean() ? FrenchNames.GIVEN_FEMALE : FrenchNames.GIVEN_MALE) + " "
                            + (age < 18 ? family : skewedPick(r, FrenchNames.FAMILY)),
                    relationship, "063998" + digits(r.nextInt(10_000), 4)));
        }
        return contacts;
    }

    private PatientData.PreferredPhysician preferredPhysician(SplittableRandom r) {
        if (r.nextInt(100) >= 86) {
            return null;
        }
        String name = "Dr " + pick(r, r.nextBoolean() ? FrenchNames.GIVEN_FEMALE : FrenchNames.GIVEN_MALE) + " " + skewedPick(r, FrenchNames.FAMILY);
        String rpps = "19" + digits(r.nextInt(100_000_000), 8);
        return new PatientData.PreferredPhysician(name, rpps + Luhn.checkDigit(rpps));
    }

    /** Children are covered as the dependants of an insured adult (another NIR). */
    private PatientData.Coverage coverage(SplittableRandom r, int age, String nir, LocalDate birthDate, Map<String, Integer> nirOrders) {
        String insuredNir = age >= 16 ? nir
                : nir(r.nextBoolean() ? Sex.F : Sex.M, birthDate.minusYears(26 + r.nextInt(12)).withDayOfMonth(1 + r.nextInt(28)),
                pick(r, FrenchNames.BIRTH_COMMUNES).inseeCode(), nirOrders);
        int schemeRoll = r.nextInt(100);
        String scheme = schemeRoll < 86 ? "01" : schemeRoll < 94 ? "02" : schemeRoll < 97 ? "03" : "10";
        boolean amc = r.nextInt(100) < 90;
        return new PatientData.Coverage(insuredNir, scheme, scheme.equals("02") ? "069" : "691",
                digits(r.nextInt(10_000), 4), amc ? pick(r, FrenchNames.MUTUELLES) : null,
                amc ? digits(r.nextInt(100_000_000), 8) : null,
                LocalDate.of(2025, 1, 1).plusDays(r.nextInt(365)), LocalDate.of(2027, 1, 1).plusDays(r.nextInt(730)));
    }

    /** Ages spread like a hospital's patients: more elderly than the population, some children. */
    private static LocalDate birthDate(SplittableRandom r) {
        int roll = r.nextInt(100);
        int age = roll < 12 ? r.nextInt(16) : roll < 45 ? 16 + r.nextInt(44) : roll < 80 ? 60 + r.nextInt(20) : 80 + r.nextInt(20);
        return REFERENCE_DAY.minusYears(age).minusDays(r.nextInt(365));
    }

    /** A NIR unique within the generated population: the order number counts births per place and month. */
    private static String nir(Sex sex, LocalDate birthDate, String birthplace, Map<String, Integer> orders) {
        String place = birthplace.startsWith("99") ? "99" + birthplace.substring(2) : birthplace;
        String prefix = (sex == Sex.F ? "2" : "1") + digits(birthDate.getYear() % 100, 2) + digits(birthDate.getMonthValue(), 2)
                + place.substring(0, 2) + place.substring(2);
        int order = orders.merge(prefix, 1, Integer::sum);
        if (order > 999) {
            // More births in one place and month than the order number can count: spill over to a nearby code.
            return nir(sex, birthDate, place.substring(0, 2) + digits((Integer.parseInt(place.substring(2)) + 1) % 1000, 3), orders);
        }
        return Nir.withKey(prefix + digits(order, 3));
    }

    /** {@code value} with leading zeros to {@code width} digits: what {@code %0Nd} wrote, without parsing a format per call. */
    static String digits(long value, int width) {
        String plain = Long.toString(value);
        return plain.length() >= width ? plain : "0".repeat(width - plain.length()) + plain;
    }

    private static String finess(String sevenDigits) {
        String payload = sevenDigits + "0";
        return payload + Luhn.checkDigit(payload);
    }

    private static String rpps(int[] counter) {
        String payload = "1" + digits(100_000 + counter[0]++, 9);
        return payload + Luhn.checkDigit(payload);
    }

    private static <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    /** Favours the head of the list, as real name frequencies do. */
    private static <T> T skewedPick(SplittableRandom r, List<T> list) {
        double u = r.nextDouble();
        return list.get((int) (u * u * list.size()));
    }

    static String ascii(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
    }
}
