package org.dossier.care;

import org.dossier.audit.AuditReason;
import org.dossier.access.CareLinks;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Gives the gateway the care relationships and the desk's work this module records. */
@Component
class CareLinksFromRelationships implements CareLinks {

    /** The relationships that open a restricted record: the people caring for the patient now. */
    private static final Set<RelationshipReason> STRONG = EnumSet.of(RelationshipReason.ATTENDING,
            RelationshipReason.CURRENT_STAY_IN_UNIT, RelationshipReason.CARE_TEAM);

    private final CareRelationships relationships;

    CareLinksFromRelationships(CareRelationships relationships) {
        this.relationships = relationships;
    }

    @Override
    public Optional<Link> between(long staffId, Set<Integer> unitIds, long patientId, Instant at) {
        return relationships.between(staffId, unitIds, patientId, at).map(r -> link(r.reason()));
    }

    @Override
    public WorkDays workDays(Instant at) {
        CareRelationships.Window window = relationships.workWindow(at);
        return new WorkDays(window.from(), window.to());
    }

    @Override
    public Link link(String relationshipReason) {
        return link(RelationshipReason.valueOf(relationshipReason));
    }

    private static Link link(RelationshipReason reason) {
        return new Link(AuditReason.of(reason.name()), STRONG.contains(reason));
    }

    @Override
    public Map<Long, AuditReason> explain(Worker worker, Collection<Long> patientIds, Instant at) {
        return relationships.explain(worker, patientIds, at);
    }
}
