package org.dossier.organization.web;

import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffAccountRequest;
import org.dossier.organization.StaffChange;
import org.dossier.organization.StaffGrant;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.organization.UnitKind;
import org.dossier.platform.FormPosts;
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
 * The administrator's screens: staff accounts (find, create, change roles and units, suspend), units, and the grants
 * waiting for a second administrator (the one-time enrolment link is identity's, {@code identity.web.EnrolmentLinkPage}).
 * An administrator sees no patient data; creating an account and changing roles need a second factor used in the last minutes;
 * a new account, or a role, facility or unit added, takes effect only once another administrator approves it here.
 */
@Controller
class StaffAdministrationPages {

    private final OrganizationService organization;

    StaffAdministrationPages(OrganizationService organization) {
        this.organization = organization;
    }

    @GetMapping("/admin/staff")
    String staff(Actor actor, @RequestParam(defaultValue = "") String q, Model model) {
        actor.requireAnyRole("administer staff accounts", Role.ADMIN);
        model.addAttribute("q", q);
        model.addAttribute("staff", actor.facilityIds().stream().flatMap(f -> organization.searchStaff(q, f, null).stream())
                .distinct().limit(100).toList());
        return "organization/admin-staff";
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
        StaffAccountRequest asked = new StaffAccountRequest(username, displayName, blank(rpps), roles, facilityIds, unitIds,
                "created by " + actor.username());
        return FormPosts.attempt(redirect::addFlashAttribute, () -> organization.createStaff(actor, asked),
                        StaffAdministrationPages::notice)
                .map(made -> made.isPending() ? "redirect:/admin/grants" : "redirect:/admin/staff/" + made.account().id())
                .orElse("redirect:/admin/staff/new");
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
        FormPosts.attempt(redirect::addFlashAttribute, () -> organization.updateStaff(actor, id, version, new StaffAccountRequest(
                organization.staffMember(id).username(), displayName, blank(rpps), roles, facilityIds, unitIds, reason)),
                change -> change.isPending() ? "admin.grantRequested" : "admin.updated");
        return "redirect:/admin/staff/" + id;
    }

    @PostMapping("/admin/staff/{id}/status")
    String status(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam StaffStatus status,
                  @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "admin.updated",
                () -> organization.changeStatus(actor, id, version, status, reason));
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
        return "organization/admin-grants";
    }

    @PostMapping("/admin/grants/{id}/approve")
    String approve(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(defaultValue = "") String note,
                   RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "admin.grantApproved", () -> organization.approveGrant(actor, id, version, note));
        return "redirect:/admin/grants";
    }

    @PostMapping("/admin/grants/{id}/reject")
    String reject(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(defaultValue = "") String note,
                  RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "admin.grantRejected", () -> organization.rejectGrant(actor, id, version, note));
        return "redirect:/admin/grants";
    }

    @GetMapping("/admin/units")
    String units(Actor actor, Model model) {
        actor.requireAnyRole("administer units", Role.ADMIN);
        model.addAttribute("facilities", organization.facilities().stream().filter(f -> actor.worksIn(f.id())).toList());
        model.addAttribute("units", actor.facilityIds().stream().flatMap(f -> organization.units(f).stream()).toList());
        model.addAttribute("kinds", UnitKind.values());
        return "organization/admin-units";
    }

    @PostMapping("/admin/units")
    String createUnit(Actor actor, @RequestParam int facilityId, @RequestParam String code, @RequestParam String name,
                      @RequestParam UnitKind kind, @RequestParam(defaultValue = "0") int beds, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "admin.unitCreated",
                () -> organization.createUnit(actor, facilityId, code, name, kind, beds));
        return "redirect:/admin/units";
    }

    private String form(Actor actor, Model model, StaffMember member) {
        model.addAttribute("member", member);
        model.addAttribute("roles", Role.staffRoles());
        model.addAttribute("facilities", organization.facilities().stream().filter(f -> actor.worksIn(f.id())).toList());
        model.addAttribute("units", actor.facilityIds().stream().flatMap(f -> organization.units(f).stream()).toList());
        model.addAttribute("statuses", List.of(StaffStatus.ACTIVE, StaffStatus.SUSPENDED));
        return "organization/admin-member";
    }

    private static String notice(StaffChange created) {
        return created.isPending() ? "admin.grantRequested" : "admin.created";
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
