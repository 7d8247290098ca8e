package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.server.IResourceProvider;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.CareUnit;
import org.dossier.organization.Facility;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.platform.NotFoundException;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.List;

/**
 * The directory: facilities (Organization, FINESS), units (Location) and staff (Practitioner, RPPS). No patient
 * data; any signed-in staff member reads it, as they would the hospital's phone book.
 */
final class DirectoryProviders {

    static final String FINESS = "urn:oid:1.2.250.1.71.4.2.2";
    static final String RPPS = "urn:oid:1.2.250.1.71.4.2.1";

    private DirectoryProviders() {
    }

    @Component
    static class OrganizationProvider implements IResourceProvider {
        private final OrganizationService organization;
        private final FhirCalls calls;

        OrganizationProvider(OrganizationService organization, FhirCalls calls) {
            this.organization = organization;
            this.calls = calls;
        }

        @Override
        public Class<Organization> getResourceType() {
            return Organization.class;
        }

        @Read
        public Organization read(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> organization(organization.facility((int) FhirCalls.id(id))));
        }

        @Search
        public List<Organization> all(HttpServletRequest request) {
            return calls.as(request, actor -> organization.facilities().stream().map(OrganizationProvider::organization).toList());
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
    }

    @Component
    static class LocationProvider implements IResourceProvider {
        private final OrganizationService organization;
        private final FhirCalls calls;

        LocationProvider(OrganizationService organization, FhirCalls calls) {
            this.organization = organization;
            this.calls = calls;
        }

        @Override
        public Class<Location> getResourceType() {
            return Location.class;
        }

        @Read
        public Location read(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> location(organization.unit((int) FhirCalls.id(id))
                    .orElseThrow(() -> new NotFoundException("No unit " + id.getIdPart()))));
        }

        static Location location(CareUnit u) {
            Location l = new Location();
            l.setId(Integer.toString(u.id()));
            l.addIdentifier().setSystem("https://dossier.example/fhir/sid/unit/" + u.facilityId()).setValue(u.code());
            l.setName(u.name());
            l.setStatus(Location.LocationStatus.ACTIVE);
            l.setMode(Location.LocationMode.INSTANCE);
            l.setManagingOrganization(new Reference("Organization/" + u.facilityId()));
            return l;
        }
    }

    @Component
    static class PractitionerProvider implements IResourceProvider {
        private final OrganizationService organization;
        private final FhirCalls calls;

        PractitionerProvider(OrganizationService organization, FhirCalls calls) {
            this.organization = organization;
            this.calls = calls;
        }

        @Override
        public Class<Practitioner> getResourceType() {
            return Practitioner.class;
        }

        @Read
        public Practitioner read(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> practitioner(organization.staffMember(FhirCalls.id(id))));
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
    }
}
