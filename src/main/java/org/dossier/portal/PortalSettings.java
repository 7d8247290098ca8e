package org.dossier.portal;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;

/**
 * The hospital's policy for its patient portal, per facility (ADR 0044): whether a break-the-glass access appears as a
 * notice on the patient's portal (default on), and whether "Who opened my record" names the staff member (default off:
 * roles and units only), and whether enrolment codes may be handed over at the desk (default on; off, they are sent to the
 * patient's e-mail only, ADR 0049). Set by an administrator of the facility, each change written to the trail.
 */
@Service
public class PortalSettings {

    /** A facility's settings; {@code updatedBy} is null while the defaults apply. */
    public record Setting(int facilityId, boolean breakGlassNotice, boolean staffNames, boolean deskCodes, Long updatedBy, Instant updatedAt) {

        static Setting defaults(int facilityId) {
            return new Setting(facilityId, true, false, true, null, null);
        }
    }

    private final PortalSettingRepository settings;
    private final AuditTrail audit;
    private final Clock clock;

    PortalSettings(PortalSettingRepository settings, AuditTrail audit, Clock clock) {
        this.settings = settings;
        this.audit = audit;
        this.clock = clock;
    }

    /** The settings that apply in a facility (the defaults when none was set). */
    public Setting of(int facilityId) {
        return settings.find(facilityId).orElseGet(() -> Setting.defaults(facilityId));
    }

    /** What an administrator sees for one of their facilities; another facility is missing to them. */
    public Setting forAdministrator(Actor admin, int facilityId) {
        requireAdministratorOf(admin, facilityId);
        return of(facilityId);
    }

    /** An administrator of the facility changes its settings; the change (before and after) is written to the trail. */
    @Transactional
    public Setting change(Actor admin, int facilityId, boolean breakGlassNotice, boolean staffNames, boolean deskCodes) {
        requireAdministratorOf(admin, facilityId);
        Setting before = of(facilityId);
        Instant now = clock.instant();
        settings.save(facilityId, breakGlassNotice, staffNames, deskCodes, admin.staffId(), now);
        audit.append(AuditRecord.at(now).actor(admin).facility(facilityId).action(AuditAction.UPDATE)
                .resource(AuditResource.PortalSetting, facilityId).decision(AuditRecord.Decision.INFO, null)
                .detail("portal settings: break-the-glass notice " + before.breakGlassNotice() + " -> " + breakGlassNotice
                        + ", staff names " + before.staffNames() + " -> " + staffNames
                        + ", enrolment codes handed over at the desk " + before.deskCodes() + " -> " + deskCodes).request(org.slf4j.MDC.get("requestId")).build());
        return of(facilityId);
    }

    private static void requireAdministratorOf(Actor admin, int facilityId) {
        admin.requireAnyRole("set the patient portal's policy", Role.ADMIN);
        if (!admin.facilityIds().contains(facilityId)) {
            throw new NotFoundException("No facility " + facilityId);
        }
    }
}
