package org.dossier.fhir;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Practitioner;
import org.springframework.stereotype.Component;

import java.util.Arrays;

/** Practitioner: the staff (RPPS), part of the directory any signed-in staff member reads. */
@Component
class PractitionerProvider extends DirectoryProvider<Practitioner> {
    PractitionerProvider(OrganizationService organization) {
        super(Practitioner.class, id -> practitioner(organization.staffMember(FhirIds.id(id))));
    }

    static Practitioner practitioner(StaffMember m) {
        Practitioner p = new Practitioner();
        p.setId(Long.toString(m.id()));
        if (m.rpps() != null) {
            p.addIdentifier().setUse(Identifier.IdentifierUse.OFFICIAL).setSystem(RPPS).setValue(m.rpps());
        }
        String[] parts = m.displayName().split(" ");
        var name = p.addName().setText(m.displayName()).setFamily(parts[parts.length - 1]);
        Arrays.stream(parts, 0, parts.length - 1).filter(g -> !g.equals("Dr")).forEach(name::addGiven);
        p.setActive(m.status() == org.dossier.organization.StaffStatus.ACTIVE);
        return p;
    }

    static final String RPPS = "urn:oid:1.2.250.1.71.4.2.1";
}
