package org.dossier.smart.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.access.AccessGateway;
import org.dossier.identity.SmartApps;
import org.dossier.organization.Actor;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The chart's "open in app": an EHR launch bound to the chart's patient and the person, then off to the app's launch URL. */
@Controller
class LaunchPage {

    private final SmartApps apps;
    private final AccessGateway gateway;

    LaunchPage(SmartApps apps, AccessGateway gateway) {
        this.apps = apps;
        this.gateway = gateway;
    }

    @PostMapping("/patients/{id}/smart-launch")
    String launch(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "") String clientId, HttpServletRequest request) {
        SmartApps.App app = apps.app(clientId).filter(a -> a.enabled() && a.launchUri() != null)
                .orElseThrow(() -> new NotFoundException("No app " + clientId));
        gateway.openChart(actor, id);
        return "redirect:" + SmartAppsApi.launchUrl(app, apps.launch(actor, id, app.clientId()), request);
    }
}
