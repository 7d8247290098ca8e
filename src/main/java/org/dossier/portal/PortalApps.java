package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.audit.AuditResource;
import org.dossier.identity.SmartApps;
import org.dossier.organization.Actor;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;

/**
 * A patient's own apps (SMART patient-standalone launch, ADR 0045): the consent the signed-in patient gives an app
 * registered for patients. The patient context is their own record — nothing to pick — and the gateway decides it (and
 * writes it to the trail under PATIENT_SELF) before the consent goes on to the authorization server.
 */
@Service
public class PortalApps {

    private final SmartApps apps;
    private final AccessGateway gateway;

    PortalApps(SmartApps apps, AccessGateway gateway) {
        this.apps = apps;
        this.gateway = gateway;
    }

    /** The app's request waiting for this patient's consent under {@code state}, or 404. */
    public SmartApps.Consent pending(Actor patient, String state) {
        long account = -patient.staffId();
        return apps.pendingPatientConsent(account, state)
                .orElseThrow(() -> new NotFoundException("No app is waiting for your consent: start again from the app"));
    }

    /**
     * The patient allows the app: their own record is opened for it by the gateway (audited, the patient its actor), and
     * the authorization server issues the code when the consent reaches it.
     */
    public SmartApps.Consent allow(Actor patient, String state) {
        SmartApps.Consent consent = pending(patient, state);
        long own = PortalRecord.ownPatient(patient);
        gateway.read(patient, own, org.dossier.access.Section.IDENTITY, AuditResource.PortalAccount, -patient.staffId());
        return consent;
    }
}
