package org.dossier.chart.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.chart.ChartService;
import org.dossier.chart.ChartSummary;
import org.dossier.organization.Actor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Chart", description = "The assembled summary of a patient's record")
class ChartController {

    private final ChartService charts;

    ChartController(ChartService charts) {
        this.charts = charts;
    }

    @GetMapping("/api/patients/{id}/chart")
    @Operation(summary = "Chart summary: identity, current stay and location, allergies, active problems and prescriptions, "
            + "latest observations, upcoming appointments, recent notes")
    ChartSummary chart(Actor actor, @PathVariable long id) {
        return charts.summary(actor, id);
    }
}
