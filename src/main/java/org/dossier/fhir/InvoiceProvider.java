package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.billing.BillingService;
import org.dossier.billing.Invoice;
import org.dossier.organization.Actor;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Money;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.List;

/**
 * Invoice: a patient's invoices through the billing service, and their mapping (CCAM and NGAP acts, amounts in
 * euros).
 */
@Component
class InvoiceProvider extends TypedProvider<org.hl7.fhir.r4.model.Invoice> {
    private final BillingService billing;

    InvoiceProvider(BillingService billing) {
        super(org.hl7.fhir.r4.model.Invoice.class);
        this.billing = billing;
    }

    @Read
    public org.hl7.fhir.r4.model.Invoice read(@IdParam IdType id, HttpServletRequest request) {
        Actor actor = FhirActor.current(request);
        return invoice(billing.read(actor, FhirIds.id(id)));
    }

    @Search
    public List<org.hl7.fhir.r4.model.Invoice> byPatient(@RequiredParam(name = org.hl7.fhir.r4.model.Invoice.SP_PATIENT) ReferenceParam patient,
                                                         HttpServletRequest request) {
        long id = PatientReference.patientOf(patient);
        Actor actor = FhirActor.current(request);
        return billing.invoicesOf(actor, id).stream().map(InvoiceProvider::invoice).toList();
    }

    static org.hl7.fhir.r4.model.Invoice invoice(Invoice i) {
        var r = Versions.identified(new org.hl7.fhir.r4.model.Invoice(), i.id(), i.version());
        r.setStatus(switch (i.status()) {
            case DRAFT -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.DRAFT;
            case ISSUED -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.ISSUED;
            case PAID -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.BALANCED;
            case CANCELLED -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.CANCELLED;
        });
        if (i.statusReason() != null && i.status() == Invoice.Status.CANCELLED) {
            r.setCancelledReason(i.statusReason());
        }
        r.setSubject(new Reference("Patient/" + i.patientId()));
        r.setIssuer(new Reference("Organization/" + i.facilityId()));
        for (Invoice.Line line : i.lines()) {
            var item = r.addLineItem().setSequence(line.lineNo());
            item.setChargeItem(new CodeableConcept().addCoding(new Coding(line.actCode().matches("[A-Z]{4}\\d{3}") ? CCAM : NGAP,
                    line.actCode(), line.label())).setText(line.quantity() + " × " + line.label()));
            item.addPriceComponent().setType(org.hl7.fhir.r4.model.Invoice.InvoicePriceComponentType.BASE)
                    .setFactor(BigDecimal.valueOf(line.quantity())).setAmount(euros(line.amountCents()));
        }
        r.setTotalGross(euros(i.totalCents()));
        r.setTotalNet(euros(i.totalCents()));
        return r;
    }

    private static Money euros(int cents) {
        return new Money().setCurrency("EUR").setValue(BigDecimal.valueOf(cents, 2));
    }

    static final String CCAM = "https://dossier.example/fhir/CodeSystem/ccam";
    static final String NGAP = "https://dossier.example/fhir/CodeSystem/ngap";
}
