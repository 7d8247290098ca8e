package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.Search;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Facility;
import org.dossier.organization.OrganizationService;
import org.hl7.fhir.r4.model.Organization;
import org.springframework.stereotype.Component;

import java.util.List;

/** Organization: the group's facilities (FINESS), part of the directory any signed-in staff member reads. */
@Component
class OrganizationProvider extends DirectoryProvider<Organization> {
    private final OrganizationService organization;

    OrganizationProvider(OrganizationService organization) {
        super(Organization.class, id -> organization(organization.facility((int) FhirIds.id(id))));
        this.organization = organization;
    }

    @Search
    public List<Organization> all(HttpServletRequest request) {
        FhirActor.current(request); // the directory is for signed-in staff: no patient data, no decision
        return organization.facilities().stream().map(OrganizationProvider::organization).toList();
    }

    static Organization organization(Facility f) {
        Organization o = new Organization();
        o.setId(Integer.toString(f.id()));
        o.addIdentifier().setSystem(FINESS).setValue(f.finess());
        o.setName(f.name());
        o.addAddress().setCity(f.city()).setCountry("FR");
        o.setActive(true);
        return o;
    }

    static final String FINESS = "urn:oid:1.2.250.1.71.4.2.2";
}
