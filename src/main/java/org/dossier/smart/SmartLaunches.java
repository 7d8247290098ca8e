package org.dossier.smart;

import org.dossier.access.AccessGateway;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.identity.SmartApps;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;

/**
 * The patient context of a SMART launch, decided by the gateway before it is bound to anything: the patient a person
 * picks on the consent page (standalone launch), and the chart an EHR launch starts from.
 */
@Service
public class SmartLaunches {

    private final SmartApps apps;
    private final AccessGateway gateway;

    SmartLaunches(SmartApps apps, AccessGateway gateway) {
        this.apps = apps;
        this.gateway = gateway;
    }

    /** A launch value bound to the actor, the patient and the app. */
    public record Launch(SmartApps.App app, String value) {
    }

    /**
     * Binds the patient the actor picked to the authorization waiting for their consent, once the gateway decided that the
     * actor may open this patient (audited, charged; refused and audited when nothing in the actor's work explains it).
     */
    public void pickPatient(Actor actor, String state, long patientId) {
        gateway.read(actor, patientId, Section.IDENTITY, AuditResource.Patient, patientId);
        apps.pickPatient(actor, state, patientId);
    }

    /** An EHR launch of {@code clientId} on the patient's chart: the gateway opens the chart first, whoever asks. */
    public Launch launch(Actor actor, long patientId, String clientId) {
        gateway.openChart(actor, patientId);
        if (clientId == null || clientId.isBlank()) {
            throw new InvalidInputException("clientId", "the app to open");
        }
        SmartApps.App app = apps.app(clientId).filter(SmartApps.App::enabled)
                .orElseThrow(() -> new NotFoundException("No app " + clientId));
        return new Launch(app, apps.launch(actor, patientId, app.clientId()));
    }
}
