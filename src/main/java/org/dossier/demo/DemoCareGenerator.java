package org.dossier.demo;

import org.dossier.billing.bulk.BillingBulkLoader.DatedInvoice;
import org.dossier.billing.Claim;
import org.dossier.billing.HealthCardRead;
import org.dossier.billing.Invoice;
import org.dossier.care.Appointment;
import org.dossier.care.AppointmentStatus;
import org.dossier.care.CareTeamMember;
import org.dossier.care.Referral;
import org.dossier.care.Schedule;
import org.dossier.care.Stay;
import org.dossier.care.StayKind;
import org.dossier.care.StayStatus;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.Note;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.Problem;
import org.dossier.organization.CareUnit;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.UnitKind;
import org.dossier.prescribing.MedicationOrder;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The work of the demo hospital around its patients: beds filled with current stays, past stays,
 * physicians' clinics full of appointments today and in the coming days, care teams, referrals, and the
 * clinical, prescribing and billing records that this work leaves. Deterministic for a seed, a set of
 * patients and a reference instant (the moment of loading, so that "today" is today).
 */
final class DemoCareGenerator {

    static final LocalTime[] CLINIC = {LocalTime.of(9, 0), LocalTime.of(12, 0), LocalTime.of(14, 0), LocalTime.of(17, 0)};
    static final int SLOT_MINUTES = 20;
    static final int APPOINTMENTS_PER_DAY = 15;

    private final long seed;
    private final Instant now;
    private final ZoneId zone;
    private final List<CareUnit> units;
    private final List<StaffMember> staff;
    private final int daysBehind;
    private final int daysAhead;

    final List<Stay> stays = new ArrayList<>();
    final List<Schedule> schedules = new ArrayList<>();
    final List<Appointment> appointments = new ArrayList<>();
    final List<CareTeamMember> careTeam = new ArrayList<>();
    final List<Referral> referrals = new ArrayList<>();
    final List<Note> notes = new ArrayList<>();
    final List<Allergy> allergies = new ArrayList<>();
    final List<Problem> problems = new ArrayList<>();
    final List<Observation> observations = new ArrayList<>();
    final List<MedicationOrder> orders = new ArrayList<>();
    final List<DatedInvoice> invoices = new ArrayList<>();
    final List<HealthCardRead> cardReads = new ArrayList<>();
    final List<Claim> claims = new ArrayList<>();

    private final Map<String, Long> ids = new HashMap<>();
    private final Set<Long> withProblems = new HashSet<>();

    DemoCareGenerator(long seed, Instant now, ZoneId zone, List<CareUnit> units, List<StaffMember> staff, int daysBehind, int daysAhead) {
        this.daysBehind = daysBehind;
        this.daysAhead = daysAhead;
        this.seed = seed;
        this.now = now.truncatedTo(ChronoUnit.MINUTES);
        this.zone = zone;
        this.units = units;
        this.staff = staff;
    }

    void generate(PatientIndex index) {
        for (int facility : units.stream().map(CareUnit::facilityId).distinct().sorted().toList()) {
            generateFacility(facility, index.ofFacility(facility));
        }
        SplittableRandom r = new SplittableRandom(seed ^ 0xA11E);
        for (PatientIndex.Entry p : index.all) {
            if (r.nextInt(100) < 20) {
                allergy(r, p);
                if (r.nextInt(100) < 20) {
                    allergy(r, p);
                }
            }
        }
    }

    private void generateFacility(int facility, List<PatientIndex.Entry> patients) {
        if (patients.isEmpty()) {
            return;
        }
        SplittableRandom r = new SplittableRandom(seed * 31 + facility);
        List<CareUnit> facilityUnits = units.stream().filter(u -> u.facilityId() == facility).toList();
        Set<Long> busy = new HashSet<>();
        PatientPicker picker = new PatientPicker(patients, r, busy, LocalDate.ofInstant(now, zone).getYear());
        Site site = new Site(facility, r, facilityUnits, picker, ofFacility(facility, Role.FRONT_DESK), ofFacility(facility, Role.BILLING),
                facilityUnits.stream().filter(u -> u.kind() == UnitKind.EMERGENCY).findFirst().orElse(null));
        currentStays(site);
        pastStays(site, Math.max(20, patients.size() * 8 / 100));
        clinics(site);
    }

    /** One facility being filled: its random stream, units, patients and desks. */
    private record Site(int id, SplittableRandom r, List<CareUnit> units, PatientPicker picker, List<StaffMember> frontDesk,
                        List<StaffMember> billing, CareUnit er) {
    }

    /** Current inpatients fill 80 to 95 % of the beds; the emergency unit holds visits of the last hours. */
    private void currentStays(Site site) {
        for (CareUnit unit : site.units()) {
            if (unit.kind() == UnitKind.OUTPATIENT) {
                continue;
            }
            List<StaffMember> physicians = ofUnit(unit, Role.PHYSICIAN);
            List<StaffMember> nurses = ofUnit(unit, Role.NURSE);
            boolean emergency = unit.kind() == UnitKind.EMERGENCY;
            int occupied = unit.beds() * (emergency ? 60 : 80 + site.r().nextInt(16)) / 100;
            for (int bed = 1; bed <= occupied; bed++) {
                PatientIndex.Entry p = site.picker().forUnit(unit.code());
                if (p == null) {
                    break;
                }
                currentStay(site, unit, bed, p, physicians, nurses);
            }
        }
    }

    private void currentStay(Site site, CareUnit unit, int bed, PatientIndex.Entry p, List<StaffMember> physicians, List<StaffMember> nurses) {
        SplittableRandom r = site.r();
        boolean emergency = unit.kind() == UnitKind.EMERGENCY;
        StaffMember attending = physicians.get(r.nextInt(physicians.size()));
        Instant admitted = emergency ? now.minus(Duration.ofMinutes(30 + r.nextInt(600)))
                : now.minus(Duration.ofMinutes(120 + r.nextInt(60 * 24 * 12)));
        boolean viaEr = !emergency && site.er() != null && r.nextInt(100) < 35;
        String reason = pick(r, ClinicalCatalog.ADMISSION_REASONS.get(unit.code()));
        List<Stay.Movement> moves = new ArrayList<>();
        if (viaEr) {
            Instant inWard = admitted.plus(Duration.ofMinutes(180 + r.nextInt(300)));
            moves.add(new Stay.Movement(next("stay_movement"), site.er().id(), null, admitted, inWard));
            moves.add(new Stay.Movement(next("stay_movement"), unit.id(), bedName(bed), inWard, null));
        } else {
            moves.add(new Stay.Movement(next("stay_movement"), unit.id(), bedName(bed), admitted, null));
        }
        Stay stay = new Stay(next("stay"), site.id(), p.id(), emergency ? StayKind.EMERGENCY : StayKind.INPATIENT, StayStatus.ACTIVE,
                admitted, null, attending.id(), reason, null, 1, List.copyOf(moves));
        stays.add(stay);
        cardRead(r, p, site.id(), admitted, site.frontDesk(), "ACCUEIL-" + (emergency ? "URG" : "ADM"));
        inpatientRecord(r, p, stay, unit, attending, nurses);
        if (!emergency) {
            consultAndReferral(site, unit, p, attending, admitted);
        }
    }

    /** A quarter of the inpatients have a consultant of another unit on their care team; a few are referred. */
    private void consultAndReferral(Site site, CareUnit unit, PatientIndex.Entry p, StaffMember attending, Instant admitted) {
        SplittableRandom r = site.r();
        if (r.nextInt(100) < 25) {
            CareUnit other = site.units().get(r.nextInt(site.units().size()));
            List<StaffMember> consultants = ofUnit(other, Role.PHYSICIAN);
            if (other.id() != unit.id() && !consultants.isEmpty()) {
                careTeam.add(new CareTeamMember(next("care_team_member"), site.id(), p.id(), consultants.get(r.nextInt(consultants.size())).id(),
                        "avis spécialisé " + other.name().toLowerCase(), admitted.plus(Duration.ofHours(6)), null, "ACTIVE", 1));
            }
        }
        if (r.nextInt(100) < 4) {
            CareUnit to = site.units().get(r.nextInt(site.units().size()));
            if (to.id() != unit.id()) {
                referrals.add(new Referral(next("referral"), site.id(), p.id(), attending.id(), null, to.id(),
                        "Avis demandé : " + to.name(), admitted.plus(Duration.ofHours(12)), admitted.plus(Duration.ofDays(30)), "ACTIVE", 1));
            }
        }
    }

    /** Past stays, mostly long ago, some discharged in the last weeks. */
    private void pastStays(Site site, int pastStays) {
        SplittableRandom r = site.r();
        List<CareUnit> bedUnits = site.units().stream().filter(u -> u.kind() != UnitKind.OUTPATIENT).toList();
        for (int i = 0; i < pastStays; i++) {
            CareUnit unit = bedUnits.get(r.nextInt(bedUnits.size()));
            PatientIndex.Entry p = site.picker().forUnit(unit.code());
            if (p == null) {
                break;
            }
            boolean emergency = unit.kind() == UnitKind.EMERGENCY;
            Instant admitted = now.minus(Duration.ofHours(48 + r.nextInt(24 * 730)));
            Instant discharged = emergency ? admitted.plus(Duration.ofMinutes(180 + r.nextInt(420)))
                    : admitted.plus(Duration.ofHours(24 + r.nextInt(24 * 10)));
            if (discharged.isAfter(now)) {
                discharged = now.minus(Duration.ofHours(1));
            }
            List<StaffMember> physicians = ofUnit(unit, Role.PHYSICIAN);
            StaffMember attending = physicians.get(r.nextInt(physicians.size()));
            Stay stay = new Stay(next("stay"), site.id(), p.id(), emergency ? StayKind.EMERGENCY : StayKind.INPATIENT, StayStatus.DISCHARGED,
                    admitted, discharged, attending.id(), pick(r, ClinicalCatalog.ADMISSION_REASONS.get(unit.code())), "domicile", 1,
                    List.of(new Stay.Movement(next("stay_movement"), unit.id(), emergency ? null : bedName(1 + r.nextInt(Math.max(1, unit.beds()))),
                            admitted, discharged)));
            stays.add(stay);
            cardRead(r, p, site.id(), admitted, site.frontDesk(), "ACCUEIL-ADM");
            pastStayRecord(r, p, stay, unit, attending, site.billing());
        }
    }

    /**
     * Every physician holds a clinic every day (in the demo even at weekends, so that "my day" is never empty);
     * about 15 of its 18 slots are booked.
     */
    private void clinics(Site site) {
        CareUnit clinic = site.units().stream().filter(u -> u.kind() == UnitKind.OUTPATIENT).findFirst().orElse(null);
        LocalDate today = LocalDate.ofInstant(now, zone);
        for (StaffMember doctor : ofFacility(site.id(), Role.PHYSICIAN)) {
            int unitId = clinic != null ? clinic.id() : doctor.unitIds().stream().findFirst().orElse(site.units().get(0).id());
            for (DayOfWeek day : DayOfWeek.values()) {
                schedules.add(new Schedule(next("practitioner_schedule"), site.id(), doctor.id(), unitId, day, CLINIC[0], CLINIC[1], SLOT_MINUTES,
                        today.minusDays(90), null));
                schedules.add(new Schedule(next("practitioner_schedule"), site.id(), doctor.id(), unitId, day, CLINIC[2], CLINIC[3], SLOT_MINUTES,
                        today.minusDays(90), null));
            }
            String unitCode = doctor.unitIds().stream().findFirst().flatMap(u -> units.stream().filter(x -> x.id() == u).findFirst())
                    .map(CareUnit::code).orElse("CONSULT");
            for (int offset = -daysBehind; offset <= daysAhead; offset++) {
                clinicDay(site, doctor, unitId, "PED".equals(unitCode), today.plusDays(offset));
            }
        }
    }

    private void clinicDay(Site site, StaffMember doctor, int unitId, boolean pediatric, LocalDate date) {
        List<LocalTime> slots = new ArrayList<>();
        for (int half = 0; half < 2; half++) {
            for (LocalTime t = CLINIC[half * 2]; t.isBefore(CLINIC[half * 2 + 1]); t = t.plusMinutes(SLOT_MINUTES)) {
                slots.add(t);
            }
        }
        java.util.Collections.shuffle(slots, new java.util.Random(site.r().nextLong()));
        for (LocalTime t : slots.subList(0, Math.min(APPOINTMENTS_PER_DAY, slots.size()))) {
            PatientIndex.Entry p = site.picker().outpatient(pediatric);
            Instant start = date.atTime(t).atZone(zone).toInstant();
            appointment(site.r(), p, site.id(), doctor, unitId, start, site.frontDesk(), site.billing());
        }
    }

    private void appointment(SplittableRandom r, PatientIndex.Entry p, int facility, StaffMember doctor, int unitId, Instant start,
                             List<StaffMember> frontDesk, List<StaffMember> billing) {
        AppointmentStatus status;
        if (start.isAfter(now)) {
            status = AppointmentStatus.BOOKED;
        } else {
            int roll = r.nextInt(100);
            status = roll < 90 ? AppointmentStatus.COMPLETED : roll < 95 ? AppointmentStatus.NO_SHOW : AppointmentStatus.CANCELLED;
        }
        Appointment a = new Appointment(next("appointment"), facility, p.id(), doctor.id(), unitId, start,
                start.plus(Duration.ofMinutes(SLOT_MINUTES)), status, pick(r, ClinicalCatalog.ADMISSION_REASONS.get("CONSULT")), null,
                status == AppointmentStatus.CANCELLED ? "annulé par le patient" : null, status == AppointmentStatus.BOOKED ? 1 : 2);
        appointments.add(a);
        if (status != AppointmentStatus.COMPLETED) {
            return;
        }
        cardRead(r, p, facility, start.minus(Duration.ofMinutes(10)), frontDesk, "ACCUEIL-CONSULT");
        problemsOnce(r, p, facility, doctor.id(), start);
        vitals(r, p, facility, start.plus(Duration.ofMinutes(5)), doctor.id(), false);
        notes.add(new Note(next("clinical_note"), facility, p.id(), null, Note.Kind.CONSULTATION, Note.Status.SIGNED,
                "Consultation du " + LocalDate.ofInstant(start, zone), "Motif : " + a.reason() + ". Examen clinique sans particularité. "
                + "Poursuite du traitement en cours. Prochain rendez-vous dans 3 mois.", doctor.id(), null,
                start.plus(Duration.ofMinutes(25)), doctor.id(), 2, start.plus(Duration.ofMinutes(15))));
        if (r.nextInt(100) < 30) {
            String[] d = pick(r, ClinicalCatalog.DRUGS);
            LocalDate startDate = LocalDate.ofInstant(start, zone);
            orders.add(new MedicationOrder(next("medication_order"), facility, p.id(), null, d[0], d[1], null, d[2], d[3], d[4], null,
                    startDate, null, MedicationOrder.Status.ACTIVE, doctor.id(), null, null, null, 1, start.plus(Duration.ofMinutes(20))));
        }
        invoice(r, p, facility, null, a.id(), start.plus(Duration.ofMinutes(30)), billing,
                new String[][]{{"CS", "1"}}, r.nextInt(100) < 15 ? new String[]{"DEQP003", "1"} : null);
    }

    private void inpatientRecord(SplittableRandom r, PatientIndex.Entry p, Stay stay, CareUnit unit, StaffMember attending,
                                 List<StaffMember> nurses) {
        int facility = stay.facilityId();
        Instant admitted = stay.admittedAt();
        problemsOnce(r, p, facility, attending.id(), admitted);
        notes.add(new Note(next("clinical_note"), facility, p.id(), stay.id(), Note.Kind.CONSULTATION, Note.Status.SIGNED,
                "Observation d'entrée", "Motif d'admission : " + stay.admissionReason() + ". Examen à l'entrée réalisé. "
                + "Conduite à tenir : surveillance clinique, bilan biologique, traitement adapté.", attending.id(), null,
                admitted.plus(Duration.ofHours(2)), attending.id(), 2, admitted.plus(Duration.ofHours(1))));
        long hours = Duration.between(admitted, now).toHours();
        for (long h = 0; h <= hours; h += 8) {
            StaffMember nurse = nurses.isEmpty() ? attending : nurses.get(r.nextInt(nurses.size()));
            vitals(r, p, facility, admitted.plus(Duration.ofHours(h)).plus(Duration.ofMinutes(15)), nurse.id(), true);
        }
        for (Object[] lab : ClinicalCatalog.LABS) {
            double low = (double) lab[3];
            double high = (double) lab[4];
            observations.add(new Observation(next("observation"), facility, p.id(), ObservationKind.LAB, (String) lab[0], (String) lab[1],
                    decimal(low + r.nextDouble() * (high - low), 1), null, (String) lab[2], admitted.plus(Duration.ofHours(3)), "FINAL",
                    attending.id(), 1));
        }
        long days = Math.min(5, hours / 24);
        for (long d = days; d >= 1; d--) {
            Instant written = now.minus(Duration.ofDays(d - 1)).minus(Duration.ofHours(3 + r.nextInt(4)));
            if (written.isAfter(admitted)) {
                notes.add(new Note(next("clinical_note"), facility, p.id(), stay.id(), Note.Kind.PROGRESS, Note.Status.SIGNED,
                        "Évolution J" + (Duration.between(admitted, written).toDays() + 1), "Patient stable. Apyrétique. "
                        + "Constantes satisfaisantes. Poursuite de la prise en charge.", attending.id(), null, written.plus(Duration.ofMinutes(10)),
                        attending.id(), 2, written));
            }
        }
        int count = 3 + r.nextInt(3);
        Set<Integer> chosen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int k = r.nextInt(ClinicalCatalog.DRUGS.size());
            if (!chosen.add(k)) {
                continue;
            }
            String[] d = ClinicalCatalog.DRUGS.get(k);
            orders.add(new MedicationOrder(next("medication_order"), facility, p.id(), stay.id(), d[0], d[1], null, d[2], d[3], d[4], null,
                    LocalDate.ofInstant(admitted, zone), null, MedicationOrder.Status.ACTIVE, attending.id(), null, null, null, 1,
                    admitted.plus(Duration.ofHours(1))));
        }
    }

    private void pastStayRecord(SplittableRandom r, PatientIndex.Entry p, Stay stay, CareUnit unit, StaffMember attending,
                                List<StaffMember> billing) {
        int facility = stay.facilityId();
        problemsOnce(r, p, facility, attending.id(), stay.admittedAt());
        vitals(r, p, facility, stay.admittedAt().plus(Duration.ofMinutes(20)), attending.id(), false);
        notes.add(new Note(next("clinical_note"), facility, p.id(), stay.id(), Note.Kind.DISCHARGE_SUMMARY, Note.Status.SIGNED,
                "Compte rendu d'hospitalisation", "Séjour du " + LocalDate.ofInstant(stay.admittedAt(), zone) + " au "
                + LocalDate.ofInstant(stay.dischargedAt(), zone) + " en " + unit.name() + " pour " + stay.admissionReason().toLowerCase()
                + ". Évolution favorable. Sortie au domicile.", attending.id(), null, stay.dischargedAt(), attending.id(), 2,
                stay.dischargedAt().minus(Duration.ofHours(2))));
        for (int i = 0; i < 2; i++) {
            String[] d = pick(r, ClinicalCatalog.DRUGS);
            LocalDate start = LocalDate.ofInstant(stay.admittedAt(), zone);
            LocalDate end = LocalDate.ofInstant(stay.dischargedAt(), zone);
            orders.add(new MedicationOrder(next("medication_order"), facility, p.id(), stay.id(), d[0], d[1], null, d[2], d[3], d[4], null,
                    start, end.isBefore(start) ? start : end, MedicationOrder.Status.COMPLETED, attending.id(), null, null, "fin du séjour", 2,
                    stay.admittedAt().plus(Duration.ofHours(1))));
        }
        long nights = Math.max(1, Duration.between(stay.admittedAt(), stay.dischargedAt()).toDays());
        if (stay.kind() == StayKind.EMERGENCY) {
            invoice(r, p, facility, stay.id(), null, stay.dischargedAt(), billing, new String[][]{{"ATM", "1"}},
                    r.nextBoolean() ? new String[]{"ZBQK002", "1"} : null);
        } else {
            invoice(r, p, facility, stay.id(), null, stay.dischargedAt(), billing, new String[][]{{"GHS", "1"}, {"FJ", Long.toString(Math.min(nights, 100))}},
                    null);
        }
    }

    private void invoice(SplittableRandom r, PatientIndex.Entry p, int facility, Long stayId, Long appointmentId, Instant at,
                         List<StaffMember> billing, String[][] lines, String[] extra) {
        if (at.isAfter(now)) {
            return;
        }
        List<Invoice.Line> invoiceLines = new ArrayList<>();
        int total = 0;
        List<String[]> all = new ArrayList<>(List.of(lines));
        if (extra != null) {
            all.add(extra);
        }
        for (String[] l : all) {
            int price = ACT_PRICES.get(l[0]);
            int q = Integer.parseInt(l[1]);
            invoiceLines.add(new Invoice.Line(invoiceLines.size() + 1, l[0], ACT_LABELS.get(l[0]), q, price, price * q));
            total += price * q;
        }
        boolean old = at.isBefore(now.minus(Duration.ofDays(20)));
        Invoice.Status status = old ? Invoice.Status.PAID : r.nextInt(100) < 40 ? Invoice.Status.DRAFT : Invoice.Status.ISSUED;
        long id = next("invoice");
        long clerk = billing.isEmpty() ? 1 : billing.get(r.nextInt(billing.size())).id();
        invoices.add(new DatedInvoice(new Invoice(id, facility, p.id(), stayId, appointmentId, status, total, null,
                status == Invoice.Status.DRAFT ? 1 : status == Invoice.Status.ISSUED ? 2 : 3, List.copyOf(invoiceLines)), at, clerk));
        if (status != Invoice.Status.DRAFT && p.coverageNir() != null) {
            Instant sent = at.plus(Duration.ofHours(20));
            boolean answered = old || r.nextBoolean();
            claims.add(new Claim(next("claim"), facility, p.id(), id, answered ? Claim.Status.ACCEPTED : Claim.Status.SENT, total, p.coverageNir(),
                    String.format("LOT%06d", (id % 1_000_000)), sent, answered ? sent.plus(Duration.ofDays(2)) : null, null, answered ? 3 : 2));
        }
    }

    private void cardRead(SplittableRandom r, PatientIndex.Entry p, int facility, Instant at, List<StaffMember> frontDesk, String desk) {
        if (p.coverageNir() == null || frontDesk.isEmpty() || at.isAfter(now)) {
            return;
        }
        LocalDate day = LocalDate.ofInstant(at, zone);
        cardReads.add(new HealthCardRead(next("health_card_read"), facility, p.id(), at, desk + "-0" + (1 + r.nextInt(4)), p.displayName(),
                p.coverageNir(), p.displayName(), 1, new HealthCardRead.Rights("01", "691", String.format("%04d", r.nextInt(10_000)),
                day.withDayOfYear(1), day.withDayOfYear(1).plusYears(1).minusDays(1), r.nextInt(100) < 85 ? "MGEN" : null,
                r.nextInt(100) < 8, r.nextInt(100) < 25), frontDesk.get(r.nextInt(frontDesk.size())).id()));
    }

    private void problemsOnce(SplittableRandom r, PatientIndex.Entry p, int facility, long physician, Instant at) {
        if (!withProblems.add(p.id())) {
            return;
        }
        int count = 1 + r.nextInt(3);
        Set<Integer> chosen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int k = r.nextInt(ClinicalCatalog.PROBLEMS.size());
            if (chosen.add(k)) {
                String[] pr = ClinicalCatalog.PROBLEMS.get(k);
                int onsetYear = Math.max(p.birthYear() + 1, LocalDate.ofInstant(at, zone).getYear() - r.nextInt(15));
                LocalDate onset = LocalDate.of(Math.min(onsetYear, LocalDate.ofInstant(at, zone).getYear()), 1 + r.nextInt(12), 1);
                if (onset.isAfter(LocalDate.ofInstant(at, zone))) {
                    onset = LocalDate.ofInstant(at, zone).withDayOfMonth(1);
                }
                problems.add(new Problem(next("problem"), facility, p.id(), pr[0], pr[1], onset, Problem.Status.ACTIVE, physician, 1, at, Problem.ICD10));
            }
        }
    }

    private void allergy(SplittableRandom r, PatientIndex.Entry p) {
        String[] a = pick(r, ClinicalCatalog.ALLERGIES);
        allergies.add(new Allergy(next("allergy"), p.facilityId(), p.id(), a[0], a[1], a[2],
                r.nextInt(100) < 15 ? Allergy.Severity.SEVERE : r.nextBoolean() ? Allergy.Severity.MODERATE : Allergy.Severity.MILD,
                r.nextInt(100) < 80 ? Allergy.Kind.ALLERGY : Allergy.Kind.INTOLERANCE, Allergy.Status.ACTIVE,
                firstOfRole(p.facilityId(), Role.PHYSICIAN), 1, now.minus(Duration.ofDays(30 + r.nextInt(3000)))));
    }

    private void vitals(SplittableRandom r, PatientIndex.Entry p, int facility, Instant at, long author, boolean withSpo2) {
        if (at.isAfter(now)) {
            return;
        }
        int systolic = 105 + r.nextInt(50);
        observations.add(new Observation(next("observation"), facility, p.id(), ObservationKind.BLOOD_PRESSURE, ObservationKind.BLOOD_PRESSURE.code(),
                ObservationKind.BLOOD_PRESSURE.label(), BigDecimal.valueOf(systolic), BigDecimal.valueOf(systolic - 35 - r.nextInt(20)),
                ObservationKind.BLOOD_PRESSURE.unit(), at, "FINAL", author, 1));
        observations.add(vital(p, facility, ObservationKind.HEART_RATE, BigDecimal.valueOf(55 + r.nextInt(50)), at, author));
        observations.add(vital(p, facility, ObservationKind.TEMPERATURE, decimal(36.2 + r.nextDouble() * 2.2, 1), at, author));
        if (withSpo2) {
            observations.add(vital(p, facility, ObservationKind.SPO2, BigDecimal.valueOf(90 + r.nextInt(10)), at, author));
        } else {
            observations.add(vital(p, facility, ObservationKind.WEIGHT, decimal(50 + r.nextDouble() * 50, 1), at, author));
        }
    }

    private Observation vital(PatientIndex.Entry p, int facility, ObservationKind kind, BigDecimal value, Instant at, long author) {
        return new Observation(next("observation"), facility, p.id(), kind, kind.code(), kind.label(), value, null, kind.unit(), at, "FINAL",
                author, 1);
    }

    private List<StaffMember> ofUnit(CareUnit unit, Role role) {
        List<StaffMember> found = staff.stream().filter(s -> s.hasRole(role) && s.unitIds().contains(unit.id())).toList();
        if (!found.isEmpty()) {
            return found;
        }
        return staff.stream().filter(s -> s.hasRole(role) && s.facilityIds().contains(unit.facilityId())).toList();
    }

    private List<StaffMember> ofFacility(int facility, Role role) {
        return staff.stream().filter(s -> s.hasRole(role) && s.facilityIds().contains(facility)).toList();
    }

    private long firstOfRole(int facility, Role role) {
        return staff.stream().filter(s -> s.hasRole(role) && s.facilityIds().contains(facility)).findFirst().orElseThrow().id();
    }

    private long next(String table) {
        return ids.merge(table, 1L, Long::sum);
    }

    private static String bedName(int bed) {
        return String.format("%02d", bed);
    }

    private static BigDecimal decimal(double value, int scale) {
        return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP);
    }

    private static <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    /** Prices and labels of the acts the demo bills, as in the V8 migration's catalogue. */
    private static final Map<String, Integer> ACT_PRICES = Map.of("CS", 3000, "DEQP003", 1452, "ATM", 2500, "ZBQK002", 2128,
            "GHS", 180000, "FJ", 2000);
    private static final Map<String, String> ACT_LABELS = Map.of("CS", "Consultation de spécialiste",
            "DEQP003", "Électrocardiographie sur au moins 12 dérivations", "ATM", "Forfait accueil et traitement des urgences",
            "ZBQK002", "Radiographie du thorax", "GHS", "Forfait séjour (groupe homogène de séjour, indicatif)",
            "FJ", "Forfait journalier hospitalier");

    /**
     * Picks patients for stays (each inpatient once) and for appointments (a patient may come several times),
     * by age: children in pediatrics, the elderly in geriatrics.
     */
    private static final class PatientPicker {
        private final List<PatientIndex.Entry> children = new ArrayList<>();
        private final List<PatientIndex.Entry> adults = new ArrayList<>();
        private final List<PatientIndex.Entry> elderly = new ArrayList<>();
        private final SplittableRandom r;
        private final Set<Long> hospitalised;

        PatientPicker(List<PatientIndex.Entry> patients, SplittableRandom r, Set<Long> hospitalised, int year) {
            this.r = r;
            this.hospitalised = hospitalised;
            for (PatientIndex.Entry p : patients) {
                int age = year - p.birthYear();
                (age < 16 ? children : age >= 75 ? elderly : adults).add(p);
            }
        }

        PatientIndex.Entry forUnit(String unitCode) {
            List<PatientIndex.Entry> pool = "PED".equals(unitCode) ? children : "GER".equals(unitCode) ? elderly : r.nextInt(100) < 30 ? elderly : adults;
            if (pool.isEmpty()) {
                pool = adults.isEmpty() ? elderly : adults;
            }
            for (int attempt = 0; attempt < 50 && !pool.isEmpty(); attempt++) {
                PatientIndex.Entry p = pool.get(r.nextInt(pool.size()));
                if (hospitalised.add(p.id())) {
                    return p;
                }
            }
            return null;
        }

        PatientIndex.Entry outpatient(boolean pediatric) {
            List<PatientIndex.Entry> pool = pediatric && !children.isEmpty() ? children : r.nextInt(100) < 35 && !elderly.isEmpty() ? elderly : adults;
            return pool.get(r.nextInt(pool.size()));
        }
    }
}
