package org.dossier.billing.web;

import org.dossier.billing.BillingService;
import org.dossier.billing.Claim;
import org.dossier.billing.HealthCardRead;
import org.dossier.organization.Actor;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.time.LocalDate;
import java.util.function.Supplier;

/**
 * The billing clerk's screens: the claims queue by status, and on a patient's billing tab the invoice (open, add acts,
 * issue), the claim to the insurer, and the health-card (Carte Vitale) read as the reader returned it.
 */
@Controller
class BillingPages {

    private final BillingService billing;

    BillingPages(BillingService billing) {
        this.billing = billing;
    }

    @GetMapping("/billing")
    String claims(Actor actor, @RequestParam(defaultValue = "TO_SEND") Claim.Status status, Model model) {
        model.addAttribute("status", status);
        model.addAttribute("statuses", Claim.Status.values());
        model.addAttribute("claims", billing.claims(actor, status));
        return "billing/claims";
    }

    @GetMapping("/billing/acts")
    String acts(@RequestParam(name = "actCode", defaultValue = "") String q, Model model) {
        model.addAttribute("acts", q.strip().length() < 2 ? java.util.List.of() : billing.acts(q.strip()));
        return "billing/acts :: list";
    }

    /** {@code forWhat} is "stay:ID" or "appointment:ID": an invoice bills exactly one stay or one appointment. */
    @PostMapping("/patients/{id}/invoices")
    String open(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "") String forWhat, RedirectAttributes redirect) {
        Long stay = forWhat.startsWith("stay:") ? parse(forWhat.substring(5)) : null;
        Long appointment = forWhat.startsWith("appointment:") ? parse(forWhat.substring(12)) : null;
        return change(id, redirect, "invoice.opened", () -> billing.openInvoice(actor, id, stay, appointment).patientId());
    }

    private static Long parse(String number) {
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("forWhat", "choose the stay or the appointment to bill");
        }
    }

    @PostMapping("/invoices/{id}/lines")
    String addLine(Actor actor, @PathVariable long id, @RequestParam long patient, @RequestParam int version, @RequestParam String actCode,
                   @RequestParam(defaultValue = "1") Integer quantity, RedirectAttributes redirect) {
        return change(patient, redirect, "invoice.lineAdded", () -> billing.addLine(actor, id, version, actCode, quantity).patientId());
    }

    @PostMapping("/invoices/{id}/issue")
    String issue(Actor actor, @PathVariable long id, @RequestParam long patient, @RequestParam int version, RedirectAttributes redirect) {
        return change(patient, redirect, "invoice.issued", () -> billing.issue(actor, id, version).patientId());
    }

    @PostMapping("/invoices/{id}/claims")
    String claim(Actor actor, @PathVariable long id, @RequestParam long patient, RedirectAttributes redirect) {
        return change(patient, redirect, "claim.created", () -> billing.createClaim(actor, id).patientId());
    }

    @PostMapping("/claims/{id}/send")
    String send(Actor actor, @PathVariable long id, @RequestParam int version, RedirectAttributes redirect) {
        try {
            billing.send(actor, id, version);
            redirect.addFlashAttribute("notice", "claim.sent");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/billing";
    }

    @PostMapping("/patients/{id}/card-reads")
    String cardRead(Actor actor, @PathVariable long id, @RequestParam String workstation, @RequestParam String cardHolderName,
                    @RequestParam String cardHolderNir, @RequestParam(required = false) String beneficiaryName,
                    @RequestParam(defaultValue = "1") Integer beneficiaryRank, @RequestParam(defaultValue = "01") String amoScheme,
                    @RequestParam(required = false) String amoFund, @RequestParam(required = false) String amoCentre,
                    @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate validTo,
                    @RequestParam(required = false) String amcName, RedirectAttributes redirect) {
        return change(id, redirect, "cardRead.recorded", () -> billing.recordCardRead(actor, id, new BillingService.CardReadInput(workstation,
                cardHolderName, cardHolderNir, beneficiaryName == null || beneficiaryName.isBlank() ? cardHolderName : beneficiaryName,
                beneficiaryRank, new HealthCardRead.Rights(amoScheme, amoFund, amoCentre, null, validTo, amcName, false, false), null)).patientId());
    }

    private String change(long patientId, RedirectAttributes redirect, String notice, Supplier<Long> action) {
        try {
            action.get();
            redirect.addFlashAttribute("notice", notice);
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/patients/" + patientId + "?tab=billing";
    }
}
