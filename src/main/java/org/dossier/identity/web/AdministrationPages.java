package org.dossier.identity.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.identity.AuthService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffAccountRequest;
import org.dossier.organization.StaffChange;
import org.dossier.organization.StaffGrant;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.organization.UnitKind;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.util.List;
import java.util.Set;

/**
 * The administrator's screens: staff accounts (find, create, change roles and units, suspend), units, and the one-time
 * enrolment link a new colleague signs in with, and the grants waiting for a second administrator. An administrator sees
 * no patient data; creating an account, changing roles and issuing a link need a second factor used in the last minutes;
 * a new account, or a role, facility or unit added, takes effect only once another administrator approves it here.
 */
@Controller
class AdministrationPages {

    private final OrganizationService organization;
    private final AuthService auth;

    AdministrationPages(OrganizationService organization, AuthService auth) {
        this.organization = organization;
        this.auth = auth;
    }

    @GetMapping("/admin/staff")
    String staff(Actor actor, @RequestParam(defaultValue = "") String q, Model model) {
        actor.requireAnyRole("administer staff accounts", Role.ADMIN);
        model.addAttribute("q", q);
        model.addAttribute("staff", actor.facilityIds().stream().flatMap(f -> organization.searchStaff(q, f, null).stream())
                .distinct().limit(100).toList());
        return "identity/admin-staff";
    }

    @GetMapping("/admin/staff/new")
    String newStaff(Actor actor, Model model) {
        actor.requireAnyRole("administer staff accounts", Role.ADMIN);
        return form(actor, model, null);
    }

    @PostMapping("/admin/staff")
    String create(Actor actor, @RequestParam String username, @RequestParam String displayName, @RequestParam(required = false) String rpps,
                  @RequestParam(required = false) Set<Role> roles, @RequestParam(required = false) Set<Integer> facilityIds,
                  @RequestParam(required = false) Set<Integer> unitIds, RedirectAttributes redirect) {
        try {
            StaffChange change = organization.createStaff(actor, new StaffAccountRequest(username, displayName, blank(rpps), roles,
                    facilityIds, unitIds, "created by " + actor.username()));
            if (change.isPending()) {
                redirect.addFlashAttribute("notice", "admin.grantRequested");
                return "redirect:/admin/grants";
            }
            redirect.addFlashAttribute("notice", "admin.created");
            return "redirect:/admin/staff/" + change.account().id();
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            return "redirect:/admin/staff/new";
        }
    }

    @GetMapping("/admin/staff/{id}")
    String edit(Actor actor, @PathVariable long id, Model model) {
        actor.requireAnyRole("administer staff accounts", Role.ADMIN);
        return form(actor, model, organization.staffMember(id));
    }

    @PostMapping("/admin/staff/{id}")
    String update(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam String displayName,
                  @RequestParam(required = false) String rpps, @RequestParam(required = false) Set<Role> roles,
                  @RequestParam(required = false) Set<Integer> facilityIds, @RequestParam(required = false) Set<Integer> unitIds,
                  @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        try {
            StaffMember member = organization.staffMember(id);
            StaffChange change = organization.updateStaff(actor, id, version, new StaffAccountRequest(member.username(), displayName,
                    blank(rpps), roles, facilityIds, unitIds, reason));
            redirect.addFlashAttribute("notice", change.isPending() ? "admin.grantRequested" : "admin.updated");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/staff/" + id;
    }

    @PostMapping("/admin/staff/{id}/status")
    String status(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam StaffStatus status,
                  @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        try {
            organization.changeStatus(actor, id, version, status, reason);
            redirect.addFlashAttribute("notice", "admin.updated");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/staff/" + id;
    }

    @PostMapping("/admin/staff/{id}/enrolment-link")
    String link(Actor actor, @PathVariable long id, HttpServletRequest request, RedirectAttributes redirect) {
        try {
            AuthService.EnrolmentLink link = auth.enrolmentLink(actor, id, request);
            redirect.addFlashAttribute("enrolmentLink", "/signin/link?token=" + link.token());
            redirect.addFlashAttribute("enrolmentExpires", link.expiresAt());
        } catch (ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/staff/" + id;
    }

    /** The grants waiting for a second administrator, and the latest decided ones. */
    @GetMapping("/admin/grants")
    String grants(Actor actor, Model model) {
        actor.requireAnyRole("administer staff accounts", Role.ADMIN);
        List<StaffGrant> pending = organization.grants(actor, StaffGrant.Status.PENDING);
        List<StaffGrant> decided = organization.grants(actor, null).stream().filter(g -> g.status() != StaffGrant.Status.PENDING)
                .limit(30).toList();
        java.util.Set<Long> people = new java.util.HashSet<>();
        for (StaffGrant g : pending) {
            people.add(g.requestedBy());
        }
        for (StaffGrant g : decided) {
            people.add(g.requestedBy());
            if (g.decidedBy() != null) {
                people.add(g.decidedBy());
            }
        }
        model.addAttribute("pending", pending);
        model.addAttribute("decided", decided);
        model.addAttribute("names", organization.staffNames(people));
        model.addAttribute("unitNames", actor.facilityIds().stream().flatMap(f -> organization.units(f).stream())
                .collect(java.util.stream.Collectors.toMap(u -> u.id(), u -> u.name(), (a, b) -> a)));
        model.addAttribute("myId", actor.staffId());
        return "identity/admin-grants";
    }

    @PostMapping("/admin/grants/{id}/approve")
    String approve(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(defaultValue = "") String note,
                   RedirectAttributes redirect) {
        try {
            organization.approveGrant(actor, id, version, note);
            redirect.addFlashAttribute("notice", "admin.grantApproved");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/grants";
    }

    @PostMapping("/admin/grants/{id}/reject")
    String reject(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(defaultValue = "") String note,
                  RedirectAttributes redirect) {
        try {
            organization.rejectGrant(actor, id, version, note);
            redirect.addFlashAttribute("notice", "admin.grantRejected");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/grants";
    }

    @GetMapping("/admin/units")
    String units(Actor actor, Model model) {
        actor.requireAnyRole("administer units", Role.ADMIN);
        model.addAttribute("facilities", organization.facilities().stream().filter(f -> actor.worksIn(f.id())).toList());
        model.addAttribute("units", actor.facilityIds().stream().flatMap(f -> organization.units(f).stream()).toList());
        model.addAttribute("kinds", UnitKind.values());
        return "identity/admin-units";
    }

    @PostMapping("/admin/units")
    String createUnit(Actor actor, @RequestParam int facilityId, @RequestParam String code, @RequestParam String name,
                      @RequestParam UnitKind kind, @RequestParam(defaultValue = "0") int beds, RedirectAttributes redirect) {
        try {
            organization.createUnit(actor, facilityId, code, name, kind, beds);
            redirect.addFlashAttribute("notice", "admin.unitCreated");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/units";
    }

    private String form(Actor actor, Model model, StaffMember member) {
        model.addAttribute("member", member);
        model.addAttribute("roles", Role.values());
        model.addAttribute("facilities", organization.facilities().stream().filter(f -> actor.worksIn(f.id())).toList());
        model.addAttribute("units", actor.facilityIds().stream().flatMap(f -> organization.units(f).stream()).toList());
        model.addAttribute("statuses", List.of(StaffStatus.ACTIVE, StaffStatus.SUSPENDED));
        return "identity/admin-member";
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
