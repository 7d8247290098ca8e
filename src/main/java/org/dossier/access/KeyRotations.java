package org.dossier.access;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.crypto.DataKeyRotation;
import org.springframework.stereotype.Service;

import java.time.Clock;

/**
 * A facility's data-key rotation asked for by a person (ADR 0047): an administrator or the security officer of the
 * facility, with a second factor used in the last five minutes; audited. The re-encryption then runs in the background.
 */
@Service
public class KeyRotations {

    private final AccessGateway gateway;
    private final DataKeyRotation rotation;
    private final Clock clock;

    KeyRotations(AccessGateway gateway, DataKeyRotation rotation, Clock clock) {
        this.gateway = gateway;
        this.rotation = rotation;
        this.clock = clock;
    }

    public DataKeyRotation.Progress rotate(Actor actor, int facilityId) {
        administered(actor, facilityId, "rotate a facility's data key");
        actor.requireFreshSecondFactor(clock.instant());
        DataKeyRotation.Progress started = rotation.start(facilityId);
        gateway.append(gateway.entry(actor).facility(facilityId).action(AuditAction.UPDATE).resource(AuditResource.Request, null)
                .decision(AuditRecord.Decision.INFO, null).detail("data key of facility " + facilityId + " rotated (rotation "
                        + started.id() + ", key " + started.keyId() + "); re-encryption queued").build());
        return started;
    }

    public DataKeyRotation.Progress progress(Actor actor, long rotationId) {
        DataKeyRotation.Progress p = rotation.progress(rotationId).orElseThrow(() -> new NotFoundException("No rotation " + rotationId));
        administered(actor, p.facilityId(), "follow a data-key rotation");
        return p;
    }

    private static void administered(Actor actor, int facilityId, String action) {
        actor.requireAnyRole(action, Role.ADMIN, Role.SECURITY_OFFICER);
        if (!actor.worksIn(facilityId)) {
            throw new NotFoundException("No facility " + facilityId + " of yours");
        }
    }
}
