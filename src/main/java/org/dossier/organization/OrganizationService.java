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
    private static final int MAX_GRANT_RESULTS = 200;

    private final FacilityRepository facilities;
    private final StaffRepository staff;
    private final StaffGrantRepository grants;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    OrganizationService(FacilityRepository facilities, StaffRepository staff, StaffGrantRepository grants,
                        ApplicationEventPublisher events, Clock clock) {
        this.facilities = facilities;
        this.staff = staff;
        this.grants = grants;
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

    /**
     * An administrator's request for a new account. Every account opens something (a role that reads patient data, or
     * one that runs the system), so it is never created at once: it becomes a grant that a second administrator approves.
     */
    @Transactional
    public StaffChange createStaff(Actor actor, StaffAccountRequest request) {
        requireAnyRole(actor, Role.ADMIN);
        actor.requireFreshSecondFactor(clock.instant());
        validate(actor, request, 0L);
        for (Integer f : request.facilityIds()) {
            requireAdminOf(actor, f);
        }
        if (staff.usernameTaken(request.username()) || grants.pendingForUsername(request.username())) {
            throw new ConflictException("username-taken", "The username " + request.username() + " is already in use");
        }
        if (request.rpps() != null && !request.rpps().isBlank() && grants.pendingRpps(request.rpps())) {
            throw new InvalidInputException("rpps", "belongs to an account waiting for approval");
        }
        StaffAccountRequest asked = new StaffAccountRequest(request.username(), request.displayName().strip(), request.rpps(),
                request.roles(), request.facilityIds(), request.unitIds(), reasonOr(request.reason(), "account created"));
        return new StaffChange(null, requestGrant(actor, StaffGrant.Kind.CREATE, null, null, asked,
                asked.roles(), asked.facilityIds(), asked.unitIds(), asked.facilityIds()));
    }

    /**
     * An administrator's change to another account. A change that widens it (a role, a facility or a unit added) waits
     * for a second administrator; one that widens nothing (names, RPPS, removals) is applied at once. No account
     * changes itself this way.
     */
    @Transactional
    public StaffChange updateStaff(Actor actor, long id, int expectedVersion, StaffAccountRequest request) {
        requireAnyRole(actor, Role.ADMIN);
        refuseOwnAccount(actor, id, "change the roles, facilities or units of");
        actor.requireFreshSecondFactor(clock.instant());
        StaffMember current = staffMember(id);
        requireReason(request.reason());
        StaffAccountRequest withUsername = new StaffAccountRequest(current.username(), request.displayName(), request.rpps(),
                request.roles(), request.facilityIds(), request.unitIds(), request.reason());
        validate(actor, withUsername, id);
        for (Integer f : union(current.facilityIds(), request.facilityIds())) {
            requireAdminOf(actor, f);
        }
        if (current.version() != expectedVersion) {
            throw ConflictException.stale(id, expectedVersion, current.version());
        }
        Set<Role> addedRoles = minus(withUsername.roles(), current.roles());
        Set<Integer> addedFacilities = minus(withUsername.facilityIds(), current.facilityIds());
        Set<Integer> addedUnits = minus(withUsername.unitIds(), current.unitIds());
        if (!addedRoles.isEmpty() || !addedFacilities.isEmpty() || !addedUnits.isEmpty()) {
            if (grants.pendingForAccount(id)) {
                throw new ConflictException("grant-pending", current.username()
                        + " already has a change waiting for a second administrator: approve or reject it first (GET /api/staff/grants)");
            }
            return new StaffChange(null, requestGrant(actor, StaffGrant.Kind.CHANGE, id, expectedVersion, withUsername,
                    addedRoles, addedFacilities, addedUnits, union(current.facilityIds(), withUsername.facilityIds())));
        }
        Instant now = clock.instant();
        if (!staff.update(id, expectedVersion, withUsername, now)) {
            throw ConflictException.stale(id, expectedVersion, current.version());
        }
        StaffMember updated = staffMember(id);
        staff.recordVersion(updated, actor.staffId(), request.reason(), now);
        events.publishEvent(new StaffAccountChanged(id, updated.status(), updated.version(), actor.staffId(), request.reason(), now));
        events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.ACCOUNT_CHANGED, actor, id, updated.username(),
                null, "version " + updated.version() + ", nothing widened: " + request.reason(), now));
        return new StaffChange(updated, null);
    }

    /** Suspends or reactivates another account (ADMIN). Freezing and unfreezing belong to the exfiltration guard. */
    @Transactional
    public StaffMember changeStatus(Actor actor, long id, int expectedVersion, StaffStatus status, String reason) {
        requireAnyRole(actor, Role.ADMIN);
        refuseOwnAccount(actor, id, "change the status of");
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
        StaffMember changed = applyStatus(id, expectedVersion, status, actor.staffId(), reason, current);
        events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.ACCOUNT_CHANGED, actor, id, changed.username(),
                null, "status " + status + ", version " + changed.version() + ": " + reason, clock.instant()));
        return changed;
    }

    // ---------------------------------------------------------------- grants waiting for a second administrator

    /** The grants of the facilities the actor administers (all of them for a security officer), newest first. */
    public List<StaffGrant> grants(Actor actor, StaffGrant.Status status) {
        requireAnyRole(actor, Role.ADMIN, Role.SECURITY_OFFICER);
        return grants.list(status, actor.hasRole(Role.SECURITY_OFFICER) ? null : actor.facilityIds(), MAX_GRANT_RESULTS);
    }

    public StaffGrant grant(Actor actor, long grantId) {
        requireAnyRole(actor, Role.ADMIN, Role.SECURITY_OFFICER);
        StaffGrant grant = grants.findById(grantId).orElseThrow(() -> new NotFoundException("No grant request " + grantId));
        if (!actor.hasRole(Role.SECURITY_OFFICER) && grant.requested().facilityIds().stream().noneMatch(actor::worksIn)
                && (grant.staffId() == null || staffMember(grant.staffId()).facilityIds().stream().noneMatch(actor::worksIn))) {
            throw new NotFoundException("No grant request " + grantId);
        }
        return grant;
    }

    /**
     * Approves a pending grant: another administrator than the requester and than the account, in a signed-in session
     * with a second factor used in the last five minutes (an API token cannot approve), administering every facility
     * concerned. The change then takes effect, as a new version of the account.
     */
    @Transactional
    public StaffChange approveGrant(Actor actor, long grantId, int expectedVersion, String note) {
        requireAnyRole(actor, Role.ADMIN);
        StaffGrant grant = grant(actor, grantId);
        if (grant.requestedBy() == actor.staffId()) {
            throw refused(actor, grant, "You requested this grant: another administrator must approve it");
        }
        if (grant.staffId() != null && grant.staffId() == actor.staffId()) {
            throw refused(actor, grant, "This grant is about your own account: another administrator must approve it");
        }
        if (actor.channel() != Actor.Channel.SESSION) {
            throw refused(actor, grant, "A grant is approved in a signed-in session with a second factor used in the last "
                    + Actor.STEP_UP_FRESHNESS.toMinutes() + " minutes; an API token cannot approve");
        }
        Instant now = clock.instant();
        actor.requireFreshSecondFactor(now);
        if (grant.status() != StaffGrant.Status.PENDING) {
            throw new ConflictException("grant-decided", "Grant " + grantId + " was already " + grant.status().name().toLowerCase());
        }
        if (grant.version() != expectedVersion) {
            throw ConflictException.stale(grantId, expectedVersion, grant.version());
        }
        StaffAccountRequest asked = grant.requested();
        for (Integer f : grant.staffId() == null ? asked.facilityIds() : union(staffMember(grant.staffId()).facilityIds(), asked.facilityIds())) {
            requireAdminOf(actor, f);
        }
        validate(actor, asked, grant.staffId() == null ? 0L : grant.staffId());
        String why = "granted: " + grant.reason() + " (grant " + grantId + ", requested by " + grant.requestedBy()
                + ", approved by " + actor.username() + (note == null || note.isBlank() ? "" : ": " + note.strip()) + ")";
        StaffMember result;
        if (grant.kind() == StaffGrant.Kind.CREATE) {
            if (staff.usernameTaken(asked.username())) {
                throw new ConflictException("username-taken", "The username " + asked.username() + " is already in use: reject this grant");
            }
            long id = staff.insert(asked, now);
            result = staffMember(id);
        } else {
            StaffMember current = staffMember(grant.staffId());
            if (!staff.update(current.id(), grant.baseVersion(), asked, now)) {
                throw new ConflictException("grant-stale", current.username() + " changed since this grant was requested (version "
                        + grant.baseVersion() + ", now " + current.version() + "): reject it and request the change again");
            }
            result = staffMember(current.id());
        }
        if (!grants.decide(grantId, expectedVersion, StaffGrant.Status.APPROVED, actor.staffId(), blankToNull(note), now)) {
            throw new ConflictException("grant-decided", "Grant " + grantId + " was decided meanwhile");
        }
        staff.recordVersion(result, actor.staffId(), why, now);
        events.publishEvent(new StaffAccountChanged(result.id(), result.status(), result.version(), actor.staffId(), why, now));
        events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.GRANT_APPROVED, actor, result.id(),
                result.username(), grantId, describe(grant) + "; requested by staff " + grant.requestedBy() + "; now version "
                + result.version() + (note == null || note.isBlank() ? "" : "; " + note.strip()), now));
        return new StaffChange(result, grants.findById(grantId).orElseThrow());
    }

    /** Rejects a pending grant (any administrator of its facilities, the requester included: a withdrawal). Nothing changes. */
    @Transactional
    public StaffGrant rejectGrant(Actor actor, long grantId, int expectedVersion, String note) {
        requireAnyRole(actor, Role.ADMIN);
        String why = requireReason(note);
        StaffGrant grant = grant(actor, grantId);
        if (grant.status() != StaffGrant.Status.PENDING) {
            throw new ConflictException("grant-decided", "Grant " + grantId + " was already " + grant.status().name().toLowerCase());
        }
        for (Integer f : grant.requested().facilityIds()) {
            requireAdminOf(actor, f);
        }
        Instant now = clock.instant();
        if (!grants.decide(grantId, expectedVersion, StaffGrant.Status.REJECTED, actor.staffId(), why, now)) {
            throw ConflictException.stale(grantId, expectedVersion, grant.version());
        }
        events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.GRANT_REJECTED, actor, grant.staffId(),
                grant.username(), grantId, describe(grant) + "; requested by staff " + grant.requestedBy() + "; " + why, now));
        return grants.findById(grantId).orElseThrow();
    }

    private StaffGrant requestGrant(Actor actor, StaffGrant.Kind kind, Long staffId, Integer baseVersion, StaffAccountRequest asked,
                                    Set<Role> addedRoles, Set<Integer> addedFacilities, Set<Integer> addedUnits, Set<Integer> facilityIds) {
        Instant now = clock.instant();
        long id;
        try {
            id = grants.insert(kind, staffId, asked.username(), baseVersion, asked, addedRoles, addedFacilities, addedUnits,
                    facilityIds, asked.reason(), actor.staffId(), now);
        } catch (org.springframework.dao.DuplicateKeyException concurrent) {
            throw new ConflictException("grant-pending", asked.username()
                    + " already has a request waiting for a second administrator: approve or reject it first (GET /api/staff/grants)");
        }
        StaffGrant grant = grants.findById(id).orElseThrow();
        events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.GRANT_REQUESTED, actor, staffId, asked.username(),
                id, describe(grant), now));
        return grant;
    }

    private static String describe(StaffGrant g) {
        return (g.kind() == StaffGrant.Kind.CREATE ? "new account " : "change of ") + g.username()
                + (g.addedRoles().isEmpty() ? "" : "; roles added " + sorted(g.addedRoles()))
                + (g.addedFacilityIds().isEmpty() ? "" : "; facilities added " + sorted(g.addedFacilityIds()))
                + (g.addedUnitIds().isEmpty() ? "" : "; units added " + sorted(g.addedUnitIds()))
                + "; requested roles " + sorted(g.requested().roles()) + (g.opensPatientData() ? " (reads patient data)" : "")
                + "; reason: " + g.reason();
    }

    private static <T extends Comparable<? super T>> List<T> sorted(Set<T> values) {
        return values.stream().sorted().toList();
    }

    /** No account changes its own roles, facilities, units or status through administration; the attempt is audited. */
    private void refuseOwnAccount(Actor actor, long id, String what) {
        if (actor.staffId() == id) {
            String message = "You cannot " + what + " your own account: another administrator must do it";
            events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.REFUSED, actor, id, actor.username(), null,
                    "own account: " + message, clock.instant()));
            throw new ForbiddenException(message).audited();
        }
    }

    private ForbiddenException refused(Actor actor, StaffGrant grant, String message) {
        events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.REFUSED, actor, grant.staffId(), grant.username(),
                grant.id(), message, clock.instant()));
        return new ForbiddenException(message).audited();
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

    private void validate(Actor actor, StaffAccountRequest r, long selfId) {
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
        if (roles.contains(Role.PATIENT)) {
            errors.add(new FieldError("roles", "PATIENT is the portal's role of a patient on their own record, never a staff account's"));
        }
        if (roles.stream().anyMatch(Role::isPrivileged) && roles.stream().anyMatch(Role::readsPatientData)) {
            String message = "separation of duties: an ADMIN or SECURITY_OFFICER account never holds a role that reads patient data"
                    + " (PHYSICIAN, NURSE, FRONT_DESK, BILLING); give the person a second, separate account";
            events.publishEvent(new StaffAdministrationEvent(StaffAdministrationEvent.Type.REFUSED, actor, selfId == 0L ? null : selfId,
                    r.username(), null, message + "; asked " + roles.stream().sorted().toList(), clock.instant()));
            errors.add(new FieldError("roles", message));
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


    private static String requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("reason", "say why the account changes; it is kept in the account's history");
        }
        return reason.strip();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static <T> Set<T> minus(Set<T> a, Set<T> b) {
        Set<T> rest = new java.util.HashSet<>(a == null ? Set.of() : a);
        rest.removeAll(b);
        return Set.copyOf(rest);
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
