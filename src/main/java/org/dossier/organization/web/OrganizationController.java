package org.dossier.organization.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.organization.Actor;
import org.dossier.organization.CareUnit;
import org.dossier.organization.Facility;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffAccountRequest;
import org.dossier.organization.StaffChange;
import org.dossier.organization.StaffGrant;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.organization.StaffVersion;
import org.dossier.organization.UnitKind;
import org.dossier.platform.InvalidInputException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

@RestController
@RequestMapping("/api")
@Tag(name = "Organization", description = "Facilities, units and staff accounts of the hospital group")
class OrganizationController {

    private final OrganizationService organization;

    OrganizationController(OrganizationService organization) {
        this.organization = organization;
    }

    record NewUnit(String code, String name, UnitKind kind, Integer beds) {
    }

    record AccountChange(Integer version, StaffAccountRequest account) {
    }

    record StatusChange(Integer version, StaffStatus status, String reason) {
    }

    record GrantDecision(Integer version, String note) {
    }

    @GetMapping("/facilities")
    List<Facility> facilities(Actor actor) {
        return organization.facilities();
    }

    @GetMapping("/facilities/{id}")
    Facility facility(Actor actor, @PathVariable int id) {
        return organization.facility(id);
    }

    @GetMapping("/facilities/{id}/units")
    List<CareUnit> units(Actor actor, @PathVariable int id) {
        return organization.units(id);
    }

    @PostMapping("/facilities/{id}/units")
    @Operation(summary = "Create a unit (ADMIN of that facility)")
    ResponseEntity<CareUnit> createUnit(Actor actor, @PathVariable int id, @RequestBody NewUnit body) {
        CareUnit unit = organization.createUnit(actor, id, body.code(), body.name(), body.kind(),
                body.beds() == null ? 0 : body.beds());
        return ResponseEntity.created(URI.create("/api/facilities/" + id + "/units")).body(unit);
    }

    @GetMapping("/staff")
    @Operation(summary = "Search the staff directory (at most 50 results)")
    List<StaffMember> searchStaff(Actor actor, @RequestParam(required = false) String q,
                                  @RequestParam(required = false) Integer facilityId,
                                  @RequestParam(required = false) Role role) {
        return organization.searchStaff(q, facilityId, role);
    }

    @GetMapping("/staff/{id}")
    StaffMember staffMember(Actor actor, @PathVariable long id) {
        return organization.staffMember(id);
    }

    @GetMapping("/staff/{id}/history")
    @Operation(summary = "Every version of an account (ADMIN, SECURITY_OFFICER)")
    List<StaffVersion> staffHistory(Actor actor, @PathVariable long id) {
        return organization.staffHistory(actor, id);
    }

    @PostMapping("/staff")
    @Operation(summary = "Request a staff account (ADMIN): answered 202 with the grant a second administrator must approve")
    ResponseEntity<?> createStaff(Actor actor, @RequestBody StaffAccountRequest body) {
        return answer(organization.createStaff(actor, body));
    }

    @PutMapping("/staff/{id}")
    @Operation(summary = "Change another account's name, RPPS, roles, facilities and units (ADMIN); needs version and reason. "
            + "A change that adds a role, facility or unit is answered 202 with the grant a second administrator must approve; "
            + "one's own account is refused (403)")
    ResponseEntity<?> updateStaff(Actor actor, @PathVariable long id, @RequestBody AccountChange body) {
        if (body.version() == null || body.account() == null) {
            throw new InvalidInputException("version", "send the version you read and the account");
        }
        return answer(organization.updateStaff(actor, id, body.version(), body.account()));
    }

    @GetMapping("/staff/grants")
    @Operation(summary = "Grant requests of the facilities one administers (ADMIN; SECURITY_OFFICER sees all); PENDING by default, ALL for every status")
    List<StaffGrant> grants(Actor actor, @RequestParam(defaultValue = "PENDING") String status) {
        return organization.grants(actor, "ALL".equalsIgnoreCase(status) ? null : parseStatus(status));
    }

    @GetMapping("/staff/grants/{grantId}")
    StaffGrant grant(Actor actor, @PathVariable long grantId) {
        return organization.grant(actor, grantId);
    }

    @PostMapping("/staff/grants/{grantId}/approve")
    @Operation(summary = "Approve a grant (another ADMIN than the requester, in a signed-in session with a second factor used "
            + "in the last 5 minutes; an API token cannot approve); needs the grant's version")
    StaffChange approve(Actor actor, @PathVariable long grantId, @RequestBody GrantDecision body) {
        if (body.version() == null) {
            throw new InvalidInputException("version", "send the version of the grant you read");
        }
        return organization.approveGrant(actor, grantId, body.version(), body.note());
    }

    @PostMapping("/staff/grants/{grantId}/reject")
    @Operation(summary = "Reject (or withdraw) a grant (ADMIN); needs the grant's version and a note saying why")
    StaffGrant reject(Actor actor, @PathVariable long grantId, @RequestBody GrantDecision body) {
        if (body.version() == null) {
            throw new InvalidInputException("version", "send the version of the grant you read");
        }
        return organization.rejectGrant(actor, grantId, body.version(), body.note());
    }

    private static ResponseEntity<?> answer(StaffChange change) {
        if (change.isPending()) {
            return ResponseEntity.accepted().location(URI.create("/api/staff/grants/" + change.pendingGrant().id()))
                    .body(change.pendingGrant());
        }
        return ResponseEntity.ok(change.account());
    }

    private static StaffGrant.Status parseStatus(String status) {
        try {
            return StaffGrant.Status.valueOf(status.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("status", "one of PENDING, APPROVED, REJECTED or ALL");
        }
    }

    @PostMapping("/staff/{id}/status")
    @Operation(summary = "Suspend or reactivate an account (ADMIN); needs version and reason")
    StaffMember changeStatus(Actor actor, @PathVariable long id, @RequestBody StatusChange body) {
        if (body.version() == null || body.status() == null) {
            throw new InvalidInputException("status", "send the version you read and the new status (ACTIVE or SUSPENDED)");
        }
        return organization.changeStatus(actor, id, body.version(), body.status(), body.reason());
    }
}
