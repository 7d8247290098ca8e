package org.dossier.demo;

import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.patient.Nir;
import org.dossier.patient.bulk.PatientBulkLoader.BulkPatient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class DemoHospitalGeneratorTest {

    @Test
    void theSameSeedGivesTheSameHospital() {
        DemoHospitalGenerator a = new DemoHospitalGenerator(42);
        DemoHospitalGenerator b = new DemoHospitalGenerator(42);
        assertThat(a.staff()).isEqualTo(b.staff());
        assertThat(take(a.patients(3000), 3000)).isEqualTo(take(b.patients(3000), 3000));
    }

    @Test
    void aDifferentSeedGivesADifferentHospital() {
        List<BulkPatient> a = take(new DemoHospitalGenerator(1).patients(100), 100);
        List<BulkPatient> b = take(new DemoHospitalGenerator(2).patients(100), 100);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void aPrefixDoesNotDependOnTheTotal() {
        DemoHospitalGenerator g = new DemoHospitalGenerator(7);
        assertThat(take(g.patients(50), 50)).isEqualTo(take(g.patients(5000), 50));
    }

    @Test
    void generatedIdentifiersAreValidAndUnique() {
        List<BulkPatient> patients = take(new DemoHospitalGenerator(DemoHospitalGenerator.DEFAULT_SEED).patients(50_000), 50_000);
        Set<String> ins = new HashSet<>();
        Set<String> ipps = new HashSet<>();
        for (BulkPatient p : patients) {
            if (p.data().insMatricule() != null) {
                assertThat(Nir.isValid(p.data().insMatricule())).as(p.data().insMatricule()).isTrue();
                assertThat(ins.add(p.data().insMatricule())).as("unique INS " + p.data().insMatricule()).isTrue();
            }
            if (p.data().coverage() != null) {
                assertThat(Nir.isValid(p.data().coverage().nir())).isTrue();
            }
            assertThat(ipps.add(p.facilityId() + "/" + p.ipp())).isTrue();
        }
        Map<Integer, Long> perFacility = patients.stream().collect(Collectors.groupingBy(BulkPatient::facilityId, Collectors.counting()));
        assertThat(perFacility.get(1)).isBetween(23_000L, 27_000L);
        assertThat(perFacility.get(3)).isBetween(8_500L, 11_500L);
    }

    @Test
    void staffCoversEveryRoleAtAboutFiveHundredAccounts() {
        List<StaffMember> staff = new DemoHospitalGenerator(DemoHospitalGenerator.DEFAULT_SEED).staff();
        assertThat(staff).hasSizeBetween(450, 600);
        assertThat(staff.stream().flatMap(s -> s.roles().stream()).collect(Collectors.toSet())).containsExactlyInAnyOrder(Role.staffRoles());
        assertThat(staff.stream().map(StaffMember::username).distinct().count()).isEqualTo(staff.size());
        assertThat(staff.stream().filter(s -> s.hasRole(Role.PHYSICIAN)).allMatch(s -> s.rpps() != null)).isTrue();
    }

    @Test
    void theHospitalsWorkIsTheSameForTheSameSeedAndReferenceInstant() {
        java.time.Instant now = java.time.Instant.parse("2026-03-02T10:15:00Z");
        DemoCareGenerator a = care(now);
        DemoCareGenerator b = care(now);
        assertThat(a.stays).isEqualTo(b.stays);
        assertThat(a.appointments).isEqualTo(b.appointments);
        assertThat(a.observations).isEqualTo(b.observations);
        assertThat(a.invoices).isEqualTo(b.invoices);
        assertThat(a.stays).isNotEmpty();
        assertThat(a.appointments.stream().filter(x -> x.startAt().isAfter(now)).count()).isPositive();
        assertThat(a.allergies.size()).isBetween(2000 * 20 / 100 - 150, 2000 * 24 / 100 + 150);
    }

    @Test
    void everyCurrentInpatientHasOneActiveStayAndEveryPhysicianAFullClinicToday() {
        java.time.Instant now = java.time.Instant.parse("2026-03-02T07:00:00Z");
        DemoCareGenerator g = care(now);
        var active = g.stays.stream().filter(s -> s.status() == org.dossier.care.StayStatus.ACTIVE).toList();
        assertThat(active.stream().map(org.dossier.care.Stay::patientId).distinct().count()).isEqualTo(active.size());
        java.time.LocalDate today = java.time.LocalDate.of(2026, 3, 2);
        var todays = g.appointments.stream()
                .filter(x -> java.time.LocalDate.ofInstant(x.startAt(), java.time.ZoneId.of("Europe/Paris")).equals(today))
                .collect(Collectors.groupingBy(org.dossier.care.Appointment::practitionerId, Collectors.counting()));
        long physicians = new DemoHospitalGenerator(3).staff().stream().filter(s -> s.hasRole(Role.PHYSICIAN)).count();
        assertThat(todays).hasSize((int) physicians);
        assertThat(todays.values()).allMatch(n -> n == DemoCareGenerator.APPOINTMENTS_PER_DAY);
    }

    private static DemoCareGenerator care(java.time.Instant now) {
        DemoHospitalGenerator hospital = new DemoHospitalGenerator(3);
        PatientIndex index = new PatientIndex();
        hospital.patients(2000).forEachRemaining(index::add);
        DemoCareGenerator g = new DemoCareGenerator(3, now, java.time.ZoneId.of("Europe/Paris"), hospital.units(), hospital.staff(), 2, 2);
        g.generate(index);
        return g;
    }

    private static List<BulkPatient> take(java.util.Iterator<BulkPatient> it, int n) {
        List<BulkPatient> out = new ArrayList<>(n);
        while (it.hasNext() && out.size() < n) {
            out.add(it.next());
        }
        return out;
    }
}
