package org.dossier.fhir;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.CareUnit;
import org.dossier.organization.OrganizationService;
import org.dossier.platform.NotFoundException;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

/** Location: the units of the facilities, part of the directory any signed-in staff member reads. */
@Component
class LocationProvider extends DirectoryProvider<Location> {
    LocationProvider(OrganizationService organization) {
        super(Location.class, id -> location(organization.unit((int) FhirIds.id(id))
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
