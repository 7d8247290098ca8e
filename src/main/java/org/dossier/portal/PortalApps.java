package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.OwnRecordReports;
import org.dossier.access.PatientAccess;
import org.dossier.audit.AuditResource;
import org.dossier.identity.SmartApps;
import org.dossier.organization.Actor;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;

import java.util.List;

/**
 * A patient's own apps (SMART patient-standalone launch, ADR 0045): the consent the signed-in patient gives an app
 * registered for patients. The patient context is their own record — nothing to pick — and the gateway decides it (and
 * writes it to the trail under PATIENT_SELF) before the consent goes on to the authorization server.
 */
@Service
public class PortalApps {

    /** The most accesses a patient's app gets in one answer (the newest first), as the portal's CSV. */
    public static final int MAX_ACCESSES = 1000;

    private final SmartApps apps;
    private final AccessGateway gateway;
    private final OwnRecordReports reports;
    private final PortalCases cases;

    PortalApps(SmartApps apps, AccessGateway gateway, OwnRecordReports reports, PortalCases cases) {
        this.apps = apps;
        this.gateway = gateway;
        this.reports = reports;
        this.cases = cases;
    }

    /**
     * "Who opened my record" for a patient's app (FHIR {@code AuditEvent?patient=}): the same lines as the portal's page —
     * roles and units, never staff names — newest first, at most {@code max}. The gateway decides on the record asked
     * for: the patient's own only (another is answered as missing, NOT_OWN_RECORD, and audited).
     */
    public List<PortalCases.AccessLine> accesses(Actor patient, long patientId, int max) {
        PatientAccess own = gateway.read(patient, patientId, org.dossier.access.Section.IDENTITY, AuditResource.AccessReport, patientId);
        return cases.lines(own, reports.accesses(own, 0, Math.max(1, Math.min(max, MAX_ACCESSES))).entries());
    }

    /** The app's request waiting for this patient's consent under {@code state}, or 404. */
    public SmartApps.Consent pending(Actor patient, String state) {
        long account = -patient.staffId();
        return apps.pendingPatientConsent(account, state)
                .orElseThrow(() -> new NotFoundException("No app is waiting for your consent: start again from the app"));
    }

    /**
     * The origins ({@code scheme://host[:port]}) of the app's registered redirect URIs, where the consent sends the browser
     * back; each rebuilt from its parts, so nothing but an origin reaches the page's security policy.
     */
    public List<String> redirectOrigins(String clientId) {
        return apps.app(clientId).map(SmartApps.App::redirectUris).orElse(List.of()).stream().map(java.net.URI::create)
                .filter(u -> ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null
                        && u.getHost().matches("[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+]"))
                .map(u -> u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")).distinct().toList();
    }

    /**
     * The patient allows the app: their own record is opened for it by the gateway (audited, the patient its actor), and
     * the authorization server issues the code when the consent reaches it.
     */
    public SmartApps.Consent allow(Actor patient, String state) {
        SmartApps.Consent consent = pending(patient, state);
        long own = PortalRecord.ownPatient(patient);
        // A guardian acting for a minor does not authorize an app on the minor's record (ADR 0050).
        PortalRecord.requireThePatientThemself(
                gateway.read(patient, own, org.dossier.access.Section.IDENTITY, AuditResource.PortalAccount, -patient.staffId()));
        return consent;
    }
}
