package org.dossier.demo;

import org.dossier.guard.Canaries;
import org.dossier.billing.bulk.BillingBulkLoader;
import org.dossier.care.bulk.CareBulkLoader;
import org.dossier.clinical.bulk.ClinicalBulkLoader;
import org.dossier.identity.CredentialService;
import org.dossier.prescribing.bulk.PrescribingBulkLoader;
import org.dossier.organization.bulk.OrganizationBulkLoader;
import org.dossier.organization.StaffMember;
import org.dossier.patient.bulk.PatientBulkLoader;
import org.dossier.portal.bulk.PortalBulkLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;

/**
 * Loads the demo hospital into an empty database on start, unless {@code DOSSIER_DEMO=false}, and
 * tells the person at the console how to sign in.
 */
@Component
class DemoHospitalLoader {

    private static final Logger log = LoggerFactory.getLogger(DemoHospitalLoader.class);

    private final OrganizationBulkLoader organization;
    private final PatientBulkLoader patients;
    private final CredentialService credentials;
    private final TransactionTemplate transaction;
    private final ApplicationContext context;
    private final Environment environment;
    private final boolean enabled;
    private final int patientCount;
    private final long seed;
    private final boolean exitAfterLoad;
    private final CareBulkLoader care;
    private final ClinicalBulkLoader clinical;
    private final PrescribingBulkLoader prescribing;
    private final BillingBulkLoader billing;
    private final int daysBehind;
    private final int daysAhead;
    private final ZoneId zone;
    private final Clock clock;
    private final Canaries canaries;
    private final PortalBulkLoader portal;
    private final int canariesPerFacility;

    DemoHospitalLoader(OrganizationBulkLoader organization, PatientBulkLoader patients, CredentialService credentials,
                       TransactionTemplate transaction, ApplicationContext context, Environment environment,
                       @Value("${dossier.demo.enabled}") boolean enabled,
                       @Value("${dossier.demo.patients}") int patientCount,
                       @Value("${dossier.demo.seed}") long seed,
                       @Value("${dossier.demo.exit-after-load:false}") boolean exitAfterLoad,
                       CareBulkLoader care, ClinicalBulkLoader clinical, PrescribingBulkLoader prescribing, BillingBulkLoader billing,
                       @Value("${dossier.demo.clinic-days-behind:10}") int daysBehind,
                       @Value("${dossier.demo.clinic-days-ahead:10}") int daysAhead,
                       @Value("${dossier.time-zone:Europe/Paris}") String zone, Clock clock, Canaries canaries,
                       @Value("${dossier.demo.canaries-per-facility:25}") int canariesPerFacility, PortalBulkLoader portal) {
        this.portal = portal;
        this.canaries = canaries;
        this.canariesPerFacility = canariesPerFacility;
        this.care = care;
        this.clinical = clinical;
        this.prescribing = prescribing;
        this.billing = billing;
        this.daysBehind = daysBehind;
        this.daysAhead = daysAhead;
        this.zone = ZoneId.of(zone);
        this.clock = clock;
        this.organization = organization;
        this.patients = patients;
        this.credentials = credentials;
        this.transaction = transaction;
        this.context = context;
        this.environment = environment;
        this.enabled = enabled;
        this.patientCount = patientCount;
        this.seed = seed;
        this.exitAfterLoad = exitAfterLoad;
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        if (enabled && organization.isEmpty()) {
            load();
        }
        if (exitAfterLoad) {
            System.exit(SpringApplication.exit(context, () -> 0));
        }
        if (enabled) {
            announce();
        }
    }

    private static final String REASON = "demo hospital";

    void load() {
        long start = System.nanoTime();
        DemoHospitalGenerator generator = new DemoHospitalGenerator(seed);
        List<StaffMember> staff = generator.staff();
        transaction.executeWithoutResult(tx -> {
            organization.load(generator.facilities(), generator.units(), staff, REASON);
            credentials.setDemoCredentials(staff.stream().map(StaffMember::id).toList(), DemoAccounts.PASSWORD,
                    staff.stream().collect(java.util.stream.Collectors.toMap(StaffMember::id, s -> DemoAccounts.totpSecret(s.username()))));
        });
        long organizationDone = System.nanoTime();
        DemoHospitalGenerator.PatientStream stream = generator.patients(patientCount);
        PatientIndex index = new PatientIndex();
        long loaded = patients.load(stream, REASON, index::add);
        organization.advanceIppCounters(stream.nextIppByFacility());
        long patientsDone = System.nanoTime();

        DemoCareGenerator work = new DemoCareGenerator(seed, clock.instant(), zone, generator.units(), staff, daysBehind, daysAhead);
        work.generate(index);
        care.load(work.stays, work.schedules, work.appointments, work.careTeam, work.referrals, REASON);
        clinical.load(work.notes, work.allergies, work.problems, work.observations, REASON);
        prescribing.load(work.orders, REASON);
        billing.load(work.invoices, work.cardReads, work.claims, REASON);
        List<PortalBulkLoader.DemoPatient> enrolled = portalPatients(staff, work.appointments);
        portal.load(enrolled, DemoAccounts.PASSWORD);
        // patient1 has a result and a letter released by the cardiologist: the portal's "My results" and "My documents".
        enrolled.stream().findFirst().ifPresent(p -> clinical.releasedToPatient(p.patientId(), p.facilityId(),
                staff.stream().filter(s -> s.username().equals("physician")).mapToLong(StaffMember::id).findFirst().orElseThrow(),
                clock.instant(), REASON));
        int canaryCount = canaries.seed(canariesPerFacility);
        long end = System.nanoTime();
        log.info("Demo hospital loaded: {} staff in {} ms, {} patients in {} ms, their care in {} ms ({} stays, {} appointments, "
                        + "{} notes, {} allergies, {} problems, {} observations, {} prescriptions, {} invoices, {} card reads, {} claims), seed {}",
                staff.size(), (organizationDone - start) / 1_000_000, loaded, (patientsDone - organizationDone) / 1_000_000,
                (end - patientsDone) / 1_000_000, work.stays.size(), work.appointments.size(), work.notes.size(), work.allergies.size(),
                work.problems.size(), work.observations.size(), work.orders.size(), work.invoices.size(), work.cardReads.size(),
                work.claims.size(), seed);
        log.info("{} canary patients seeded (realistic records no workflow leads to: touching one freezes the account)", canaryCount);
    }

    /** The first patients of Hôpital Nord with an appointment coming with the demo cardiologist, one per portal demo account. */
    private List<PortalBulkLoader.DemoPatient> portalPatients(List<StaffMember> staff, List<org.dossier.care.Appointment> appointments) {
        long physician = staff.stream().filter(s -> s.username().equals("physician")).mapToLong(StaffMember::id).findFirst().orElse(-1);
        java.time.Instant now = clock.instant();
        List<Long> chosen = appointments.stream()
                .filter(a -> a.practitionerId() == physician && a.facilityId() == 1 && a.startAt().isAfter(now))
                .sorted(java.util.Comparator.comparing(org.dossier.care.Appointment::startAt).thenComparing(org.dossier.care.Appointment::patientId))
                .map(org.dossier.care.Appointment::patientId).distinct().limit(DemoAccounts.PORTAL_PATIENTS.size()).toList();
        List<PortalBulkLoader.DemoPatient> patients = new java.util.ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            String username = DemoAccounts.PORTAL_PATIENTS.get(i);
            patients.add(new PortalBulkLoader.DemoPatient(chosen.get(i), 1, username, DemoAccounts.totpSecret(username)));
        }
        return patients;
    }

    private void announce() {
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        StringBuilder b = new StringBuilder("\n\n  Dossier is running at http://localhost:").append(port)
                .append("/  (API: /api, OpenAPI: /api/docs)\n  Demo accounts, password '").append(DemoAccounts.PASSWORD)
                .append("', second factor: the TOTP secret below (code: bin/demo-totp <username>):\n");
        for (DemoAccounts.Account a : DemoAccounts.ALL) {
            b.append(String.format("    %-14s %-17s %-34s %s%n", a.username(), a.role(), DemoAccounts.totpSecret(a.username()), a.description()));
        }
        b.append("  Patient portal (http://localhost:").append(port).append("/portal), same password:\n");
        for (String p : DemoAccounts.PORTAL_PATIENTS) {
            b.append(String.format("    %-14s %-17s %-34s %s%n", p, "PATIENT", DemoAccounts.totpSecret(p), "a patient of Hôpital Nord"));
        }
        log.info(b.toString());
    }
}
