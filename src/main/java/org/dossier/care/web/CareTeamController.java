package org.dossier.care.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.care.CareRelationships;
import org.dossier.care.CareTeamMember;
import org.dossier.care.CareTeamService;
import org.dossier.care.Referral;
import org.dossier.organization.Actor;
import org.dossier.platform.Versions;
import org.dossier.patient.PatientService;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;


@RestController
@RequestMapping("/api")
@Tag(name = "Care teams", description = "Care teams, referrals, and the caller's relationship to a patient")
class CareTeamController {

    private final CareTeamService careTeams;

    CareTeamController(CareTeamService careTeams) {
        this.careTeams = careTeams;
    }

    record NewMember(Long staffId, String role, Instant from, Instant to) {
    }

    record NewReferral(Long patientId, Long toStaffId, Integer toUnitId, String reason, Instant from, Instant to) {
    }

    record Closing(Integer version, String reason) {
    }

    @PostMapping("/patients/{id}/care-team")
    ResponseEntity<CareTeamMember> addMember(Actor actor, @PathVariable long id, @RequestBody NewMember body) {
        return ResponseEntity.status(201).body(careTeams.addMember(actor, id, body.staffId(), body.role(), body.from(), body.to()));
    }

    @GetMapping("/patients/{id}/care-team")
    List<CareTeamMember> team(Actor actor, @PathVariable long id) {
        return careTeams.team(actor, id);
    }

    @PostMapping("/care-team/{memberId}/end")
    CareTeamMember end(Actor actor, @PathVariable long memberId, @RequestBody Closing body) {
        return careTeams.endMember(actor, memberId, Versions.required(body.version()), body.reason());
    }

    @PostMapping("/referrals")
    ResponseEntity<Referral> refer(Actor actor, @RequestBody NewReferral body) {
        if (body.patientId() == null) {
            throw new org.dossier.platform.InvalidInputException("patientId", "is required");
        }
        return ResponseEntity.status(201).body(careTeams.refer(actor, body.patientId(), body.toStaffId(), body.toUnitId(),
                body.reason(), body.from(), body.to()));
    }

    @PostMapping("/referrals/{id}/complete")
    Referral complete(Actor actor, @PathVariable long id, @RequestBody Closing body) {
        return careTeams.closeReferral(actor, id, Versions.required(body.version()), true, body.reason());
    }

    @PostMapping("/referrals/{id}/cancel")
    Referral cancel(Actor actor, @PathVariable long id, @RequestBody Closing body) {
        return careTeams.closeReferral(actor, id, Versions.required(body.version()), false, body.reason());
    }

    @GetMapping("/patients/{id}/referrals")
    List<Referral> referrals(Actor actor, @PathVariable long id) {
        return careTeams.referrals(actor, id);
    }

    @GetMapping("/patients/{id}/my-relationship")
    @Operation(summary = "Why the caller is involved in this patient's care now, if at all")
    Map<String, Object> myRelationship(Actor actor, @PathVariable long id) {
        return careTeams.myRelationship(actor, id)
                .<Map<String, Object>>map(r -> Map.of("related", true, "reason", r.reason(), "sourceType", r.sourceType(), "sourceId", r.sourceId()))
                .orElse(Map.of("related", false));
    }

}
