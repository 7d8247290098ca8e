package org.dossier.care;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;

/** A staff member a request names (an attending, a care-team member, a referral's addressee). */
final class StaffInput {

    private StaffInput() {
    }

    /** The staff member named in {@code field}: a missing or unknown one is the request's error (422), not a missing page. */
    static StaffMember named(OrganizationService organization, Long staffId, String field, String whenMissing) {
        if (staffId == null) {
            throw new InvalidInputException(field, whenMissing);
        }
        try {
            return organization.staffMember(staffId);
        } catch (NotFoundException e) {
            throw new InvalidInputException(field, "no staff member " + staffId);
        }
    }
}
