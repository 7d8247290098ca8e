package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/** PractitionerRole: a staff member's roles in a facility of the directory (ids {@code <staff id>-<facility id>}). */
@Component
class PractitionerRoleProvider extends TypedProvider<PractitionerRole> {
    private final OrganizationService organization;

    PractitionerRoleProvider(OrganizationService organization) {
        super(PractitionerRole.class);
        this.organization = organization;
    }

    /** PractitionerRole/&lt;staff id&gt;-&lt;facility id&gt;: what a staff member does in one facility, and in which units. */
    @Read
    public PractitionerRole read(@IdParam IdType id, HttpServletRequest request) {
        CompoundId cid = compoundId(id, "\\d{1,9}", "ids are <staff id>-<facility id>", request);
        return named(visible(cid.actor(), cid.number()), cid.part());
    }

    @Search
    public List<PractitionerRole> byPractitioner(@RequiredParam(name = PractitionerRole.SP_PRACTITIONER) ReferenceParam practitioner,
                                                 HttpServletRequest request) {
        String id = practitioner.getIdPart();
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new InvalidRequestException("practitioner must be a Practitioner id, e.g. practitioner=Practitioner/12");
        }
        return visible(FhirActor.current(request), Long.parseLong(id));
    }

    /** The staff member's roles in the facilities the actor works in. */
    private List<PractitionerRole> visible(Actor actor, long staff) {
        return roles(organization.staffMember(staff), organization).stream()
                .filter(r -> actor.worksIn(Integer.parseInt(r.getOrganization().getReferenceElement().getIdPart()))).toList();
    }

    static List<PractitionerRole> roles(StaffMember m, OrganizationService organization) {
        List<PractitionerRole> out = new ArrayList<>();
        for (int facility : m.facilityIds().stream().sorted().toList()) {
            PractitionerRole r = new PractitionerRole();
            r.setId(m.id() + "-" + facility);
            r.setActive(m.status() == org.dossier.organization.StaffStatus.ACTIVE);
            r.setPractitioner(new Reference("Practitioner/" + m.id()).setDisplay(m.displayName()));
            r.setOrganization(new Reference("Organization/" + facility));
            for (Role role : m.roles().stream().sorted().toList()) {
                r.addCode(new CodeableConcept().addCoding(new Coding("https://dossier.example/fhir/CodeSystem/staff-role", role.name(),
                        role.name().toLowerCase().replace('_', ' '))));
            }
            organization.units(facility).stream().filter(u -> m.unitIds().contains(u.id()))
                    .forEach(u -> r.addLocation(new Reference("Location/" + u.id()).setDisplay(u.name())));
            out.add(r);
        }
        return out;
    }
}
