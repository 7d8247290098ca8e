package org.dossier.smart.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.smart.SmartLaunches;
import org.dossier.organization.Actor;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The chart's "open in app": an EHR launch bound to the chart's patient and the person, then off to the app's launch URL. */
@Controller
class LaunchPage {

    private final SmartLaunches launches;

    LaunchPage(SmartLaunches launches) {
        this.launches = launches;
    }

    @PostMapping("/patients/{id}/smart-launch")
    String launch(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "") String clientId, HttpServletRequest request) {
        SmartLaunches.Launch launch = launches.launch(actor, id, clientId);
        if (launch.app().launchUri() == null) {
            throw new org.dossier.platform.NotFoundException("No launch address for app " + clientId);
        }
        return "redirect:" + SmartAppsApi.launchUrl(launch.app(), launch.value(), request);
    }
}
