package org.dossier.organization;

import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The directory of the hospital group, and its administration by ADMIN accounts. */
@Service
public class OrganizationService {

    private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9.\\-]{2,39}");
    private static final int MAX_STAFF_RESULTS = 50;

    private final FacilityRepository facilities;
    private final StaffRepository staff;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    OrganizationService(FacilityRepository facilities, StaffRepository staff, ApplicationEventPublisher events, Clock clock) {
        this.facilities = facilities;
        this.staff = staff;
        this.events = events;
        this.clock = clock;
    }

    public List<Facility> facilities() {
        return facilities.findAll();
    }

    public Facility facility(int id) {
        return facilities.findById(id).orElseThrow(() -> new NotFoundException("No facility " + id));
    }

    public List<CareUnit> units(int facilityId) {
        facility(facilityId);
        return facilities.units(facilityId);
    }

    public Optional<CareUnit> unit(int unitId) {
        return facilities.unit(unitId);
    }

    @Transactional
    public CareUnit createUnit(Actor actor, int facilityId, String code, String name, UnitKind kind, int beds) {
        requireAdminOf(actor, facilityId);
        List<FieldError> errors = new ArrayList<>();
        if (code == null || !code.matches("[A-Z0-9_\\-]{2,20}")) {
            errors.add(new FieldError("code", "must be 2 to 20 capital letters, digits, '-' or '_'"));
        }
        if (name == null || name.isBlank()) {
            errors.add(new FieldError("name", "is required"));
        }
        if (kind == null) {
            errors.add(new FieldError("kind", "is required: one of WARD, EMERGENCY, INTENSIVE_CARE, OUTPATIENT"));
        }
        if (beds < 0 || beds > 2000) {
            errors.add(new FieldError("beds", "must be between 0 and 2000"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        if (facilities.unitCodeTaken(facilityId, code)) {
            throw new ConflictException("unit-code-taken", "Facility " + facilityId + " already has a unit " + code);
        }
        return facilities.insertUnit(facilityId, code, name.strip(), kind, beds);
    }

    /** The next local patient identifier of a facility; used by the patient registry. */
    @Transactional
    public long nextIpp(int facilityId) {
        return facilities.nextIpp(facilityId);
    }

    public StaffMember staffMember(long id) {
        return staff.findById(id).orElseThrow(() -> new NotFoundException("No staff member " + id));
    }

    public Optional<StaffMember> staffByUsername(String username) {
        return staff.findByUsername(username);
    }

    /** Staff members' names by id, in one query (the authors of a chart's notes); the directory holds no patient data. */
    public Map<Long, String> staffNames(java.util.Collection<Long> staffIds) {
        return staffIds.isEmpty() ? Map.of() : staff.displayNames(staffIds);
    }

    /** The language the staff member chose for the screens ("fr" or "en"), if they chose one. */
    public Optional<String> preferredLanguage(long staffId) {
        return staff.language(staffId);
    }

    /** Sets the actor's own language for the screens; anything but "fr" or "en" is refused. */
    @Transactional
    public void choosePreferredLanguage(Actor actor, String language) {
        if (!"fr".equals(language) && !"en".equals(language)) {
            throw new InvalidInputException("language", "choose fr or en");
        }
        staff.setLanguage(actor.staffId(), language, clock.instant());
    }

    /** Bounded directory search; the directory holds no patient data. */
    public List<StaffMember> searchStaff(String prefix, Integer facilityId, Role role) {
        return staff.search(prefix, facilityId, role, MAX_STAFF_RESULTS);
    }

    public List<StaffVersion> staffHistory(Actor actor, long staffId) {
        requireAnyRole(actor, Role.ADMIN, Role.SECURITY_OFFICER);
        staffMember(staffId);
        return staff.history(staffId);
    }

    @Transactional
    public StaffMember createStaff(Actor actor, StaffAccountRequest request) {
        requireAnyRole(actor, Role.ADMIN);
        actor.requireFreshSecondFactor(clock.instant());
        validate(request, 0L);
        for (Integer f : request.facilityIds()) {
            requireAdminOf(actor, f);
        }
        if (staff.usernameTaken(request.username())) {
            throw new ConflictException("username-taken", "The username " + request.username() + " is already in use");
        }
        Instant now = clock.instant();
        long id = staff.insert(request, now);
        StaffMember created = staffMember(id);
        staff.recordVersion(created, actor.staffId(), reasonOr(request.reason(), "account created"), now);
        events.publishEvent(new StaffAccountChanged(id, created.status(), created.version(), actor.staffId(), "account created", now));
        return created;
    }

    @Transactional
    public StaffMember updateStaff(Actor actor, long id, int expectedVersion, StaffAccountRequest request) {
        requireAnyRole(actor, Role.ADMIN);
        actor.requireFreshSecondFactor(clock.instant());
        StaffMember current = staffMember(id);
        requireReason(request.reason());
        StaffAccountRequest withUsername = new StaffAccountRequest(current.username(), request.displayName(), request.rpps(),
                request.roles(), request.facilityIds(), request.unitIds(), request.reason());
        validate(withUsername, id);
        for (Integer f : union(current.facilityIds(), request.facilityIds())) {
            requireAdminOf(actor, f);
        }
        Instant now = clock.instant();
        if (!staff.update(id, expectedVersion, withUsername, now)) {
            throw ConflictException.stale(id, expectedVersion, current.version());
        }
        StaffMember updated = staffMember(id);
        staff.recordVersion(updated, actor.staffId(), request.reason(), now);
        events.publishEvent(new StaffAccountChanged(id, updated.status(), updated.version(), actor.staffId(), request.reason(), now));
        return updated;
    }

    /** Suspends or reactivates an account (ADMIN). Freezing and unfreezing belong to the exfiltration guard. */
    @Transactional
    public StaffMember changeStatus(Actor actor, long id, int expectedVersion, StaffStatus status, String reason) {
        requireAnyRole(actor, Role.ADMIN);
        actor.requireFreshSecondFactor(clock.instant());
        requireReason(reason);
        if (status == StaffStatus.FROZEN) {
            throw new InvalidInputException("status", "accounts are frozen by the exfiltration guard, not by hand");
        }
        StaffMember current = staffMember(id);
        if (current.status() == StaffStatus.FROZEN) {
            throw new ConflictException("account-frozen", "A frozen account is released only by a security officer");
        }
        for (Integer f : current.facilityIds()) {
            requireAdminOf(actor, f);
        }
        if (actor.staffId() == id) {
            throw new ForbiddenException("You cannot change the status of your own account");
        }
        return applyStatus(id, expectedVersion, status, actor.staffId(), reason, current);
    }

    /** For the security modules (guard, identity): set a status without the administrator checks, recorded like any change. */
    @Transactional
    public StaffMember setStatusBySystem(long id, StaffStatus status, Long authorId, String reason) {
        StaffMember current = staffMember(id);
        return applyStatus(id, current.version(), status, authorId, reason, current);
    }

    private StaffMember applyStatus(long id, int expectedVersion, StaffStatus status, Long authorId, String reason, StaffMember current) {
        Instant now = clock.instant();
        if (!staff.updateStatus(id, expectedVersion, status, now)) {
            throw ConflictException.stale(id, expectedVersion, current.version());
        }
        StaffMember updated = staffMember(id);
        staff.recordVersion(updated, authorId, reason, now);
        events.publishEvent(new StaffAccountChanged(id, status, updated.version(), authorId, reason, now));
        return updated;
    }

    private void validate(StaffAccountRequest r, long selfId) {
        List<FieldError> errors = new ArrayList<>();
        if (r.username() == null || !USERNAME.matcher(r.username()).matches()) {
            errors.add(new FieldError("username", "must be 3 to 40 characters: lower-case letters, digits, '.' or '-', starting with a letter"));
        }
        if (r.displayName() == null || r.displayName().isBlank() || r.displayName().length() > 120) {
            errors.add(new FieldError("displayName", "is required (at most 120 characters)"));
        }
        Set<Role> roles = r.roles() == null ? Set.of() : r.roles();
        if (roles.isEmpty()) {
            errors.add(new FieldError("roles", "at least one role is required"));
        }
        boolean hasRpps = r.rpps() != null && !r.rpps().isBlank();
        if (hasRpps && !(r.rpps().matches("\\d{11}") && Luhn.isValid(r.rpps()))) {
            errors.add(new FieldError("rpps", "must be 11 digits with a valid check digit"));
        } else if (!hasRpps && roles.contains(Role.PHYSICIAN)) {
            errors.add(new FieldError("rpps", "is required for a physician"));
        } else if (hasRpps && staff.rppsTaken(r.rpps(), selfId)) {
            errors.add(new FieldError("rpps", "belongs to another account"));
        }
        Set<Integer> facilityIds = r.facilityIds() == null ? Set.of() : r.facilityIds();
        if (facilityIds.isEmpty()) {
            errors.add(new FieldError("facilityIds", "at least one facility is required"));
        }
        for (Integer f : facilityIds) {
            if (facilities.findById(f).isEmpty()) {
                errors.add(new FieldError("facilityIds", "no facility " + f));
            }
        }
        for (Integer u : r.unitIds() == null ? Set.<Integer>of() : r.unitIds()) {
            Optional<CareUnit> unit = facilities.unit(u);
            if (unit.isEmpty()) {
                errors.add(new FieldError("unitIds", "no unit " + u));
            } else if (!facilityIds.contains(unit.get().facilityId())) {
                errors.add(new FieldError("unitIds", "unit " + u + " belongs to facility " + unit.get().facilityId()
                        + ", which is not among the account's facilities"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }


    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("reason", "say why the account changes; it is kept in the account's history");
        }
    }

    private static String reasonOr(String reason, String fallback) {
        return reason == null || reason.isBlank() ? fallback : reason;
    }

    private static void requireAnyRole(Actor actor, Role... roles) {
        if (!actor.hasAnyRole(roles)) {
            throw new ForbiddenException("This action needs one of the roles " + java.util.Arrays.toString(roles));
        }
    }

    private static void requireAdminOf(Actor actor, int facilityId) {
        if (!actor.hasRole(Role.ADMIN) || !actor.worksIn(facilityId)) {
            throw new ForbiddenException("You administer no account or unit of facility " + facilityId);
        }
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> all = new java.util.HashSet<>(a);
        if (b != null) {
            all.addAll(b);
        }
        return all;
    }
}
