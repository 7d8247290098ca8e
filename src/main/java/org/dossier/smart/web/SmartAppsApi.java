package org.dossier.smart.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.identity.SmartApps;
import org.dossier.smart.SmartLaunches;
import org.dossier.organization.Actor;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SMART apps over the REST API: an administrator registers and disables them (audited); a clinician on a chart gets an
 * EHR launch of one, bound to that patient and to themselves.
 */
@RestController
class SmartAppsApi {

    private final SmartApps apps;
    private final SmartLaunches launches;

    SmartAppsApi(SmartApps apps, SmartLaunches launches) {
        this.apps = apps;
        this.launches = launches;
    }

    /** {@code forPatients}: an app patients authorize from the portal's sign-in, for their own record (ADR 0045). */
    record Registration(String name, List<String> redirectUris, Set<String> scopes, Boolean confidential, String launchUri,
                        Boolean forPatients) {
    }

    @PostMapping("/api/admin/smart-apps")
    @ResponseStatus(HttpStatus.CREATED)
    SmartApps.Registered register(Actor actor, @RequestBody Registration body) {
        return apps.register(actor, body.name(), body.redirectUris(), body.scopes(), Boolean.TRUE.equals(body.confidential()), body.launchUri(),
                Boolean.TRUE.equals(body.forPatients()));
    }

    @GetMapping("/api/admin/smart-apps")
    List<SmartApps.App> list(Actor actor) {
        return apps.apps(actor);
    }

    @PostMapping("/api/admin/smart-apps/{clientId}/disable")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void disable(Actor actor, @PathVariable String clientId) {
        apps.disable(actor, clientId);
    }

    record LaunchRequest(String clientId) {
    }

    /**
     * An EHR launch: the gateway opens the patient's chart for the actor (decided and audited as any chart opening), and the
     * answer is the launch value and the app's launch URL carrying it, with the FHIR base as {@code iss}.
     */
    @PostMapping("/api/patients/{id}/smart-launch")
    Map<String, Object> launch(Actor actor, @PathVariable long id, @RequestBody LaunchRequest body, HttpServletRequest request) {
        SmartLaunches.Launch launched = launches.launch(actor, id, body == null ? null : body.clientId());
        SmartApps.App app = launched.app();
        String launch = launched.value();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("clientId", app.clientId());
        answer.put("launch", launch);
        answer.put("iss", fhirBase(request));
        if (app.launchUri() != null) {
            answer.put("launchUrl", launchUrl(app, launch, request));
        }
        return answer;
    }

    static String fhirBase(HttpServletRequest request) {
        return UriComponentsBuilder.fromUriString(request.getRequestURL().toString()).replacePath(request.getContextPath() + "/fhir")
                .replaceQuery(null).build().toUriString();
    }

    static String launchUrl(SmartApps.App app, String launch, HttpServletRequest request) {
        return UriComponentsBuilder.fromUriString(app.launchUri()).queryParam("iss", fhirBase(request)).queryParam("launch", launch)
                .encode().build().toUriString();
    }
}
