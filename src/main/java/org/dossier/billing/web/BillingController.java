package org.dossier.billing.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.billing.BillingService;
import org.dossier.billing.Claim;
import org.dossier.billing.HealthCardRead;
import org.dossier.billing.Invoice;
import org.dossier.billing.MedicalAct;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.VersionLog;
import org.dossier.platform.Versions;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

@RestController
@RequestMapping("/api")
@Tag(name = "Billing", description = "Acts, invoices, health-card reads and claims")
class BillingController {

    private final BillingService billing;

    BillingController(BillingService billing) {
        this.billing = billing;
    }

    record NewInvoice(Long patientId, Long stayId, Long appointmentId) {
    }

    record NewLine(Integer version, String actCode, Integer quantity) {
    }

    record VersionAndReason(Integer version, String reason) {
    }

    @GetMapping("/acts")
    @Operation(summary = "Search the act catalogue (CCAM and NGAP) by code or label")
    List<MedicalAct> acts(Actor actor, @RequestParam(required = false) String q) {
        return billing.acts(q);
    }

    @PostMapping("/invoices")
    ResponseEntity<Invoice> open(Actor actor, @RequestBody NewInvoice body) {
        if (body.patientId() == null) {
            throw new InvalidInputException("patientId", "is required");
        }
        Invoice i = billing.openInvoice(actor, body.patientId(), body.stayId(), body.appointmentId());
        return ResponseEntity.created(URI.create("/api/invoices/" + i.id())).body(i);
    }

    @GetMapping("/invoices/{id}")
    Invoice invoice(Actor actor, @PathVariable long id) {
        return billing.read(actor, id);
    }

    @GetMapping("/invoices/{id}/history")
    List<VersionLog.Version<Invoice>> history(Actor actor, @PathVariable long id) {
        return billing.invoiceHistory(actor, id);
    }

    @PostMapping("/invoices/{id}/lines")
    Invoice addLine(Actor actor, @PathVariable long id, @RequestBody NewLine body) {
        return billing.addLine(actor, id, Versions.required(body.version()), body.actCode(), body.quantity());
    }

    @PostMapping("/invoices/{id}/issue")
    Invoice issue(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return billing.issue(actor, id, Versions.required(body.version()));
    }

    @PostMapping("/invoices/{id}/pay")
    Invoice pay(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return billing.markPaid(actor, id, Versions.required(body.version()));
    }

    @PostMapping("/invoices/{id}/cancel")
    Invoice cancel(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return billing.cancel(actor, id, Versions.required(body.version()), body.reason());
    }

    @GetMapping("/patients/{id}/invoices")
    List<Invoice> invoicesOf(Actor actor, @PathVariable long id) {
        return billing.invoicesOf(actor, id);
    }

    @PostMapping("/patients/{id}/card-reads")
    @Operation(summary = "Record a Carte Vitale read at a workstation")
    ResponseEntity<HealthCardRead> cardRead(Actor actor, @PathVariable long id, @RequestBody BillingService.CardReadInput body) {
        return ResponseEntity.status(201).body(billing.recordCardRead(actor, id, body));
    }

    @GetMapping("/patients/{id}/card-reads")
    List<HealthCardRead> cardReads(Actor actor, @PathVariable long id) {
        return billing.cardReadsOf(actor, id);
    }

    @PostMapping("/invoices/{id}/claims")
    @Operation(summary = "Prepare the electronic care sheet (claim) of an issued invoice")
    ResponseEntity<Claim> createClaim(Actor actor, @PathVariable long id) {
        Claim c = billing.createClaim(actor, id);
        return ResponseEntity.created(URI.create("/api/claims/" + c.id())).body(c);
    }

    @GetMapping("/claims")
    @Operation(summary = "Claims of the caller's facilities in one status (default TO_SEND), at most 100")
    List<Claim> claims(Actor actor, @RequestParam(required = false) Claim.Status status) {
        return billing.claims(actor, status);
    }

    @GetMapping("/claims/{id}")
    Claim claim(Actor actor, @PathVariable long id) {
        return billing.readClaim(actor, id);
    }

    @PostMapping("/claims/{id}/send")
    @Operation(summary = "Transmit a claim to the insurer (simulated); its answer arrives at the next poll")
    Claim send(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return billing.send(actor, id, Versions.required(body.version()));
    }

}
