package org.dossier.patient;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.AccessGateway;
import org.dossier.access.Listing;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The patient registry. Every read and search is confined to the caller's facilities and bounded;
 * every change is a new version with its author, time and reason.
 */
@Service
public class PatientService {

    /** No request ever returns more patients than this. */
    public static final int MAX_RESULTS = 20;
    private static final int MIN_NAME_LETTERS = 3;
    private static final double SIMILAR_NAME = 0.88;

    private final PatientRepository patients;
    private final OrganizationService organization;
    private final AccessGateway gateway;
    private final Clock clock;

    PatientService(PatientRepository patients, OrganizationService organization, AccessGateway gateway, Clock clock) {
        this.patients = patients;
        this.gateway = gateway;
        this.organization = organization;
        this.clock = clock;
    }

    public Patient read(Actor actor, long id) {
        PatientAccess access = gateway.read(actor, id, AuditResource.Patient, id, Section.IDENTITY, Section.COVERAGE);
        return shown(access, found(access));
    }

    /** The patient as the chart shows it, read under an access the gateway already granted. */
    public Patient read(PatientAccess access) {
        return shown(access, found(access.require(Section.IDENTITY)));
    }

    public List<PatientVersion> history(Actor actor, long id) {
        PatientAccess access = gateway.read(actor, id, AuditResource.PatientHistory, id, Section.IDENTITY, Section.COVERAGE);
        boolean coverage = access.permits(Section.COVERAGE);
        return patients.history(access, 500).stream()
                .map(v -> coverage ? v : new PatientVersion(v.patientId(), v.version(), v.recordedAt(), v.authorId(), v.reason(),
                        v.status(), v.mergedInto(), withoutCoverage(v.data())))
                .toList();
    }

    /** The names of the patients of a work list the gateway has just audited as shown, and of no others. */
    public Map<Long, PatientLabel> labels(Listing listing) {
        if (listing.patientIds().isEmpty()) {
            return Map.of();
        }
        Map<Long, PatientLabel> labels = new java.util.HashMap<>();
        patients.labels(listing).forEach(l -> labels.put(l.id(), l));
        return labels;
    }

    public PatientSearchPage search(Actor actor, PatientSearchQuery query) {
        SearchPermit permit = gateway.permitSearch(actor, AuditResource.Patient);
        requireFacilityAsked(actor, query.facilityId());
        List<PatientSearchResult> found;
        if (notBlank(query.ins())) {
            String ins = query.ins().strip().toUpperCase();
            if (!ins.matches("[0-9AB]{15}")) {
                throw new InvalidInputException("ins", "an INS or NIR has 15 characters (13 and the 2-digit key)");
            }
            found = patients.searchByIns(permit, query.facilityId(), ins, MAX_RESULTS + 1);
        } else if (notBlank(query.ipp())) {
            found = patients.searchByIpp(permit, query.facilityId(), query.ipp().strip(), MAX_RESULTS + 1);
        } else {
            String nameKey = NameKeys.of(query.name());
            String givenKey = NameKeys.of(query.given());
            if (NameKeys.letterCount(nameKey) < MIN_NAME_LETTERS) {
                throw new InvalidInputException("name", "type at least " + MIN_NAME_LETTERS
                        + " letters of the family name, or search by INS or IPP");
            }
            if (!query.birthNarrowed() && NameKeys.letterCount(givenKey) == 0) {
                throw new InvalidInputException("birthDate", "add the birth date (or a range of a year at most) or the start of a"
                        + " given name to the family name");
            }
            if (query.nameMatch() == PatientSearchQuery.Match.CONTAINS && !query.birthNarrowed()
                    && (query.givenMatch() == PatientSearchQuery.Match.CONTAINS || NameKeys.letterCount(givenKey) < MIN_NAME_LETTERS)) {
                // Part of a name has no blind index (ADR 0046): the birth date or a given name's start must find the records.
                throw new InvalidInputException("birthDate", "a search for part of a family name needs the birth date (or a range of"
                        + " a year at most) or the first " + MIN_NAME_LETTERS + " letters of a given name");
            }
            // A given name's key holds all the given names: an exact one is looked for by its start, then kept if whole.
            PatientSearchQuery.Match givenMatch = query.givenMatch() == PatientSearchQuery.Match.EXACT ? PatientSearchQuery.Match.PREFIX
                    : query.givenMatch();
            found = patients.searchByName(permit, query.facilityId(), nameKey, query.nameMatch(), givenKey, givenMatch, query.birthDate(),
                    query.bornFrom(), query.bornTo(), query.notBornFrom(), query.notBornTo(), MAX_RESULTS + 1);
            if (query.nameMatch() == PatientSearchQuery.Match.EXACT) {
                // Keys compare without case and accents; an exact search wants the name as written (before anything is audited).
                String name = query.name().strip();
                found = found.stream().filter(r -> name.equals(r.birthFamilyName()) || name.equals(r.usedName())).toList();
            }
            if (query.givenMatch() == PatientSearchQuery.Match.EXACT && notBlank(query.given())) {
                String given = query.given().strip();
                found = found.stream().filter(r -> r.givenNames() != null && (given.equals(r.givenNames())
                        || java.util.Arrays.asList(r.givenNames().split("[ ,]+")).contains(given))).toList();
            }
        }
        if (query.sex() != null) {
            // Narrows what was found before anything is shown or audited; it is no criterion on its own.
            found = found.stream().filter(r -> r.sex() == query.sex()).toList();
        }
        boolean truncated = found.size() > MAX_RESULTS;
        boolean exact = notBlank(query.ins()) || notBlank(query.ipp());
        List<PatientSearchResult> shown = gateway.searched(actor, AuditResource.Patient, truncated ? found.subList(0, MAX_RESULTS) : found,
                PatientSearchResult::id, PatientSearchResult::facilityId, exact);
        return new PatientSearchPage(shown, truncated);
    }

    /** Existing patients of the facility who may be the person described, best match first. */
    public List<DuplicateCandidate> findDuplicates(Actor actor, int facilityId, PatientData data) {
        requireWriter(actor);
        requireFacility(actor, facilityId);
        PatientValidator.check(data, clock);
        SearchPermit permit = gateway.permitSearch(actor, AuditResource.DuplicateCandidate);
        return gateway.searched(actor, AuditResource.DuplicateCandidate, duplicates(permit, facilityId, data, 10),
                DuplicateCandidate::id, c -> facilityId, true);
    }

    @Transactional
    public Patient register(Actor actor, int facilityId, PatientData data, boolean duplicatesReviewed) {
        requireWriter(actor);
        requireFacility(actor, facilityId);
        PatientData clean = normalize(data);
        PatientValidator.check(clean, clock);
        List<DuplicateCandidate> candidates = duplicates(registering(actor), facilityId, clean, 10);
        if (candidates.stream().anyMatch(c -> c.reason() == DuplicateCandidate.Reason.SAME_INS)) {
            throw new ConflictException("same-ins", "A patient of this facility already has this INS; open that record instead",
                    Map.of("candidates", shownCandidates(actor, facilityId, candidates)));
        }
        if (!candidates.isEmpty() && !duplicatesReviewed) {
            throw new ConflictException("possible-duplicate", "Possible duplicates found: check them, then register again with "
                    + "duplicatesReviewed=true if this is a different person", Map.of("candidates", shownCandidates(actor, facilityId, candidates)));
        }
        return insert(registering(actor), facilityId, clean);
    }

    /**
     * Registers a patient for an import run, answering the same whether or not the person matches a record the run did
     * not write: an importer must not learn who is a patient here. The record is always registered, and each possible
     * duplicate outside the run waits for the front desk in the review queue ({@link #duplicateReviews}), unseen by the
     * importer. A match among the records of the run itself ({@code sameImport}) is the importer's own data and is
     * refused (409), so that one import does not register one person twice.
     */
    @Transactional
    public Patient registerImported(Actor actor, int facilityId, PatientData data, Set<Long> sameImport, String source) {
        requireWriter(actor);
        requireFacility(actor, facilityId);
        PatientData clean = normalize(data);
        PatientValidator.check(clean, clock);
        // Every candidate, not the ten best: a run's own record must be found however many others look alike.
        SearchPermit permit = registering(actor);
        List<DuplicateCandidate> candidates = duplicates(permit, facilityId, clean, Integer.MAX_VALUE);
        for (DuplicateCandidate c : candidates) {
            if (sameImport.contains(c.id())) {
                throw new ConflictException("duplicate-in-import", "This patient may be Patient/" + c.id()
                        + ", registered earlier by this same import; send each person once");
            }
        }
        Patient created = insert(permit, facilityId, clean);
        Instant now = clock.instant();
        candidates.stream().limit(10).forEach(c -> patients.raiseReview(permit, facilityId, created.id(), c, source, actor.staffId(), now));
        return created;
    }

    /**
     * The front desk's queue of possible duplicates raised by imports, oldest first, at most {@link #MAX_RESULTS}: every
     * patient it names is audited and charged like a search result, and a pair is shown only when both of its records are.
     */
    public List<DuplicateReview> duplicateReviews(Actor actor, Integer facilityId) {
        requireMerger(actor);
        SearchPermit permit = gateway.permitSearch(actor, AuditResource.DuplicateReview);
        requireFacilityAsked(actor, facilityId);
        List<DuplicateReview> open = patients.openReviews(permit, facilityId, MAX_RESULTS);
        // Each patient once, however many pairs name it: one audit entry and one charge per patient shown.
        Map<Long, Integer> named = new LinkedHashMap<>();
        for (DuplicateReview r : open) {
            named.put(r.patientId(), r.facilityId());
            named.put(r.candidateId(), r.facilityId());
        }
        Set<Long> shown = new java.util.HashSet<>();
        gateway.searched(actor, AuditResource.DuplicateReview, List.copyOf(named.entrySet()), Map.Entry::getKey, Map.Entry::getValue, true)
                .forEach(n -> shown.add(n.getKey()));
        Map<Long, PatientLabel> labels = new java.util.HashMap<>();
        if (!shown.isEmpty()) {
            patients.labels(permit, facilityId, shown).forEach(l -> labels.put(l.id(), l));
        }
        return open.stream().filter(r -> labels.containsKey(r.patientId()) && labels.containsKey(r.candidateId()))
                .map(r -> new DuplicateReview(r.id(), r.facilityId(), r.patientId(), r.candidateId(), r.reason(), r.score(), r.source(),
                        r.raisedAt(), labels.get(r.patientId()), labels.get(r.candidateId())))
                .toList();
    }

    /** Closes a review as two different people (a merge closes it by itself). */
    @Transactional
    public void dismissDuplicateReview(Actor actor, long reviewId, String reason) {
        requireMerger(actor);
        requireReason(reason);
        List<Long> parties = patients.partiesOfReview(reviewId);
        if (parties.isEmpty() || !actor.worksIn(parties.get(0).intValue())) {
            throw new NotFoundException("No open duplicate review " + reviewId);
        }
        PatientAccess patient = gateway.write(actor, parties.get(1), Section.IDENTITY, AuditAction.UPDATE, AuditResource.DuplicateReview,
                reviewId, Role.FRONT_DESK);
        PatientAccess candidate = gateway.write(actor, parties.get(2), Section.IDENTITY, AuditAction.UPDATE, AuditResource.DuplicateReview,
                reviewId, Role.FRONT_DESK);
        if (!patients.resolveReview(patient, candidate, reviewId, DuplicateReview.Outcome.DIFFERENT_PEOPLE, actor.staffId(), reason.strip(),
                clock.instant())) {
            throw new ConflictException("review-closed", "Duplicate review " + reviewId + " was closed meanwhile");
        }
    }

    private Patient insert(SearchPermit permit, int facilityId, PatientData clean) {
        Instant now = clock.instant();
        long id = patients.nextId();
        String ipp = String.format("%d%08d", facilityId, organization.nextIpp(facilityId));
        Patient created = patients.insert(permit, id, facilityId, ipp, clean, now);
        gateway.created(permit.actor(), id, facilityId, AuditResource.Patient);
        return created;
    }

    @Transactional
    public Patient update(Actor actor, long id, int expectedVersion, PatientData data, String reason) {
        requireReason(reason);
        PatientAccess access = gateway.write(actor, id, Section.IDENTITY, AuditAction.UPDATE, AuditResource.Patient, id,
                Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK);
        Patient current = found(access);
        if (current.status() == PatientStatus.MERGED) {
            throw new ConflictException("patient-merged", "Patient " + id + " was merged into " + current.mergedInto()
                    + "; change that record, or unmerge first", Map.of("mergedInto", current.mergedInto()));
        }
        PatientData clean = normalize(data);
        PatientValidator.check(clean, clock);
        if (clean.insMatricule() != null && !clean.insMatricule().equals(current.data().insMatricule())
                && patients.insTakenByAnother(access, clean.insMatricule())) {
            throw new ConflictException("same-ins", "Another patient of this facility already has this INS; merge the two records instead");
        }
        Instant now = clock.instant();
        if (!patients.update(access, expectedVersion, clean, now)) {
            throw ConflictException.stale(id, expectedVersion, current.version());
        }
        return patients.recordVersion(access, actor.staffId(), reason.strip(), now);
    }

    /** Merges a duplicate into its survivor: both histories are kept and the merge can be undone. */
    @Transactional
    public PatientMerge merge(Actor actor, long survivorId, long mergedId, String reason) {
        requireMerger(actor);
        requireReason(reason);
        if (survivorId == mergedId) {
            throw new InvalidInputException("mergedId", "a patient cannot be merged into itself");
        }
        PatientAccess survivorAccess = gateway.write(actor, survivorId, Section.IDENTITY, AuditAction.MERGE, AuditResource.Patient,
                survivorId, Role.FRONT_DESK);
        PatientAccess mergedAccess = gateway.write(actor, mergedId, Section.IDENTITY, AuditAction.MERGE, AuditResource.Patient, mergedId,
                Role.FRONT_DESK);
        Patient survivor = found(survivorAccess);
        Patient merged = found(mergedAccess);
        if (survivor.facilityId() != merged.facilityId()) {
            throw new InvalidInputException("mergedId", "the two records belong to different facilities");
        }
        if (survivor.status() != PatientStatus.ACTIVE || merged.status() != PatientStatus.ACTIVE) {
            throw new ConflictException("patient-merged", "Both records must be active; one of them is already merged");
        }
        String a = survivor.data().insMatricule();
        String b = merged.data().insMatricule();
        if (a != null && b != null && !a.equals(b)) {
            throw new InvalidInputException("mergedId", "the two records carry different INS, so they are different people");
        }
        Instant now = clock.instant();
        long mergeId = patients.insertMerge(survivorAccess, mergedAccess, actor.staffId(), reason.strip(), now);
        changeStatus(actor, mergedAccess, merged, PatientStatus.MERGED, survivorId, "merged into " + survivorId + ": " + reason.strip(), now);
        changeStatus(actor, survivorAccess, survivor, PatientStatus.ACTIVE, null, "absorbed " + mergedId + ": " + reason.strip(), now);
        patients.resolveReviewsOfPair(survivorAccess, mergedAccess, actor.staffId(), "merge " + mergeId, now);
        return patients.findMerge(survivorAccess, mergeId).orElseThrow();
    }

    @Transactional
    public PatientMerge unmerge(Actor actor, long mergeId, String reason) {
        requireMerger(actor);
        requireReason(reason);
        List<Long> parties = patients.partiesOfMerge(mergeId);
        if (parties.isEmpty()) {
            throw new NotFoundException("No merge " + mergeId);
        }
        requireFacility(actor, parties.get(0).intValue());
        long survivorId = parties.get(1);
        long mergedId = parties.get(2);
        PatientAccess survivorAccess = gateway.write(actor, survivorId, Section.IDENTITY, AuditAction.UNMERGE, AuditResource.Patient,
                survivorId, Role.FRONT_DESK);
        PatientAccess mergedAccess = gateway.write(actor, mergedId, Section.IDENTITY, AuditAction.UNMERGE, AuditResource.Patient, mergedId,
                Role.FRONT_DESK);
        if (patients.findMerge(survivorAccess, mergeId).orElseThrow().undoneAt() != null) {
            throw new ConflictException("merge-undone", "Merge " + mergeId + " was already undone");
        }
        Patient merged = found(mergedAccess);
        if (merged.status() != PatientStatus.MERGED || !Long.valueOf(survivorId).equals(merged.mergedInto())) {
            throw new ConflictException("merge-superseded", "Patient " + mergedId + " is no longer merged by this merge");
        }
        Instant now = clock.instant();
        patients.markMergeUndone(survivorAccess, mergeId, actor.staffId(), reason.strip(), now);
        changeStatus(actor, mergedAccess, merged, PatientStatus.ACTIVE, null, "unmerged from " + survivorId + ": " + reason.strip(), now);
        Patient survivor = found(survivorAccess);
        changeStatus(actor, survivorAccess, survivor, survivor.status(), survivor.mergedInto(),
                "released " + mergedId + ": " + reason.strip(), now);
        return patients.findMerge(survivorAccess, mergeId).orElseThrow();
    }

    /** A change of status of the record the proof is about, kept as its next version; stale when it changed meanwhile. */
    private void changeStatus(Actor actor, PatientAccess access, Patient current, PatientStatus status, Long mergedInto, String reason,
                              Instant now) {
        if (!patients.changeStatus(access, current.version(), status, mergedInto, now)) {
            throw ConflictException.stale(current.id(), current.version(), current.version() + 1);
        }
        patients.recordVersion(access, actor.staffId(), reason, now);
    }

    public List<PatientMerge> merges(Actor actor, long patientId) {
        return patients.mergesOf(gateway.read(actor, patientId, Section.IDENTITY, AuditResource.PatientMerge, null));
    }

    /**
     * The permit a registration's duplicate check reads the registry with: the candidates it finds are shown only as
     * search results ({@link #shownCandidates}), audited and charged then.
     */
    private SearchPermit registering(Actor actor) {
        return gateway.permitList(actor, AuditResource.DuplicateCandidate);
    }

    private List<DuplicateCandidate> duplicates(SearchPermit permit, int facilityId, PatientData d, int limit) {
        Map<Long, DuplicateCandidate> found = new LinkedHashMap<>();
        if (d.insMatricule() != null) {
            for (Patient p : patients.activeWithIns(permit, facilityId, d.insMatricule())) {
                found.put(p.id(), candidate(p, DuplicateCandidate.Reason.SAME_INS, 1.0));
            }
        }
        String family = NameKeys.of(d.birthFamilyName());
        String used = NameKeys.of(d.usedName());
        String given = firstWord(NameKeys.of(d.givenNames()));
        for (Patient p : patients.activeBornOn(permit, facilityId, d.birthDate(), 500)) {
            double nameScore = Math.max(bestName(family, used, p), 0);
            double givenScore = NameSimilarity.of(given, firstWord(NameKeys.of(p.data().givenNames())));
            double score = 0.6 * nameScore + 0.4 * givenScore;
            if (nameScore >= SIMILAR_NAME && givenScore >= SIMILAR_NAME) {
                found.putIfAbsent(p.id(), candidate(p, DuplicateCandidate.Reason.SIMILAR_NAME_SAME_BIRTH_DATE, score));
            }
        }
        for (Patient p : patients.activeNamed(permit, facilityId, family, given, 200)) {
            LocalDate b = p.data().birthDate();
            boolean sameYear = b.getYear() == d.birthDate().getYear();
            boolean swapped = b.getDayOfMonth() == d.birthDate().getMonthValue() && b.getMonthValue() == d.birthDate().getDayOfMonth();
            if (!b.equals(d.birthDate()) && (sameYear || swapped)) {
                found.putIfAbsent(p.id(), candidate(p, DuplicateCandidate.Reason.SAME_NAME_CLOSE_BIRTH_DATE, 0.8));
            }
        }
        List<DuplicateCandidate> list = new ArrayList<>(found.values());
        list.sort(Comparator.comparingDouble(DuplicateCandidate::score).reversed());
        return list.size() > limit ? list.subList(0, limit) : list;
    }

    private static double bestName(String family, String used, Patient p) {
        String pFamily = NameKeys.of(p.data().birthFamilyName());
        String pUsed = NameKeys.of(p.data().usedName());
        double best = NameSimilarity.of(family, pFamily);
        best = Math.max(best, NameSimilarity.of(family, pUsed));
        best = Math.max(best, NameSimilarity.of(used, pFamily));
        best = Math.max(best, NameSimilarity.of(used, pUsed));
        return best;
    }

    private static DuplicateCandidate candidate(Patient p, DuplicateCandidate.Reason reason, double score) {
        PatientData d = p.data();
        return new DuplicateCandidate(p.id(), p.ipp(), d.birthFamilyName(), d.usedName(), d.givenNames(), d.birthDate(),
                d.sex(), reason, Math.round(score * 100) / 100.0);
    }

    private Patient found(PatientAccess access) {
        return patients.find(access).orElseThrow(() -> new NotFoundException("No patient " + access.patientId()));
    }

    /** Coverage (NIR, insurers) only for the roles that see it. */
    private static Patient shown(PatientAccess access, Patient p) {
        return access.permits(Section.COVERAGE) ? p
                : new Patient(p.id(), p.facilityId(), p.ipp(), p.version(), p.status(), p.mergedInto(), withoutCoverage(p.data()),
                p.createdAt(), p.updatedAt());
    }

    private static PatientData withoutCoverage(PatientData d) {
        return d == null ? null : new PatientData(d.birthFamilyName(), d.usedName(), d.givenNames(), d.birthDate(), d.sex(),
                d.birthplaceCode(), d.insMatricule(), d.insOid(), d.identityStatus(), d.addresses(), d.phones(), d.emails(),
                d.contacts(), d.preferredPhysician(), null);
    }

    /**
     * The candidates a duplicate check shows (names, birth dates, IPP) are search results: audited one per patient and
     * charged to the guard like any search, so that the check cannot serve as an uncounted way to sweep the registry.
     * Only candidates actually returned are charged.
     */
    private List<DuplicateCandidate> shownCandidates(Actor actor, int facilityId, List<DuplicateCandidate> candidates) {
        gateway.requireSearch(actor, AuditResource.DuplicateCandidate);
        return gateway.searched(actor, AuditResource.DuplicateCandidate, candidates, DuplicateCandidate::id, c -> facilityId, true);
    }

    /** A search narrowed to one facility is refused (403) when the actor does not work there. */
    private static void requireFacilityAsked(Actor actor, Integer requested) {
        if (requested != null) {
            requireFacility(actor, requested);
        }
    }

    private static void requireFacility(Actor actor, int facilityId) {
        if (!actor.worksIn(facilityId)) {
            throw new ForbiddenException("You do not work in facility " + facilityId);
        }
    }

    private static void requireWriter(Actor actor) {
        if (!actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK)) {
            throw new ForbiddenException("Your role cannot register or change patient identities");
        }
    }

    private static void requireMerger(Actor actor) {
        if (!actor.hasRole(Role.FRONT_DESK)) {
            throw new ForbiddenException("Merging patient records is reserved to identity staff (FRONT_DESK)");
        }
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("reason", "say why; it is kept in the patient's history");
        }
    }


    private static PatientData normalize(PatientData d) {
        if (d == null) {
            return null;
        }
        List<PatientData.Phone> phones = d.phones().stream()
                .map(p -> p == null ? null : new PatientData.Phone(p.use(), PatientValidator.normalizePhone(p.number())))
                .toList();
        return new PatientData(strip(d.birthFamilyName()), blankToNull(d.usedName()), strip(d.givenNames()), d.birthDate(),
                d.sex(), blankToNull(d.birthplaceCode()), upperOrNull(d.insMatricule()), blankToNull(d.insOid()),
                d.identityStatus(), d.addresses(), phones, d.emails(), d.contacts(), d.preferredPhysician(), d.coverage());
    }

    private static String strip(String s) {
        return s == null ? null : s.strip().replaceAll("\\s+", " ");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : strip(s);
    }

    private static String upperOrNull(String s) {
        return s == null || s.isBlank() ? null : s.strip().toUpperCase();
    }

    private static String firstWord(String key) {
        if (key == null) {
            return "";
        }
        int space = key.indexOf(' ');
        return space < 0 ? key : key.substring(0, space);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
