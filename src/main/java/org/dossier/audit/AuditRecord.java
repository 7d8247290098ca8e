package org.dossier.audit;

import org.dossier.organization.Actor;

import java.time.Instant;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * One audit entry to append: who (actor, roles, session, address, client), what (action, patient,
 * resource, sections), the decision and its reason code, why (purpose of use) and which request.
 * One entry per patient touched (IHE BALP): a search returning 20 patients is 20 entries.
 * <p>
 * The fields hold the stored text, as verification and reports read it back. Outside this module an entry is made
 * with {@link #at(Instant)}, whose typed vocabulary ({@link AuditAction}, {@link AuditResource}, {@link AuditReason},
 * {@link AuditPurpose}) makes a wrong code a compile error (an architecture test keeps the constructor to this module).
 */
public record AuditRecord(Instant recordedAt, Long actorId, String actorUsername, String actorRoles, Integer facilityId,
                          String sessionId, String sourceAddress, String userAgent, String action, Long patientId,
                          String resourceType, String resourceId, String sections, Decision decision, String reasonCode,
                          String purpose, String requestId, String detail) {

    /** ALLOW and DENY are access decisions; INFO records an event that decided nothing (a sign-in, a freeze). */
    public enum Decision { ALLOW, DENY, INFO }

    /** An entry recorded at {@code recordedAt}; name the action and the decision, then {@link Builder#build()}. */
    public static Builder at(Instant recordedAt) {
        return new Builder(java.util.Objects.requireNonNull(recordedAt, "recordedAt"));
    }

    /** An entry the trail stamps with its own clock as it appends it. */
    static Builder unstamped() {
        return new Builder(null);
    }

    /** The same entry recorded at {@code at}: the writer stamps entries with its own clock as it chains them. */
    AuditRecord withRecordedAt(Instant at) {
        return new AuditRecord(at, actorId, actorUsername, actorRoles, facilityId, sessionId, sourceAddress, userAgent, action, patientId,
                resourceType, resourceId, sections, decision, reasonCode, purpose, requestId, detail);
    }

    /** Builds an entry from the typed vocabulary; what is not set is absent from the entry. */
    public static final class Builder {
        private final Instant recordedAt;
        private Long actorId;
        private String actorUsername, actorRoles, sessionId, sourceAddress, userAgent;
        private Integer facilityId;
        private String action;
        private Long patientId;
        private String resourceType, resourceId, sections;
        private Decision decision;
        private String reasonCode, purpose, requestId, detail;

        private Builder(Instant recordedAt) {
            this.recordedAt = recordedAt;
        }

        /**
         * Who acted: the account, its roles as stored ("NURSE,PHYSICIAN", by name in alphabetical order), its session,
         * address and client. {@link #roles}, {@link #session} and {@link #from} set one of them otherwise.
         */
        public Builder actor(Actor actor) {
            account(actor.staffId(), actor.username());
            this.actorRoles = actor.roles().stream().map(Enum::name).sorted().collect(Collectors.joining(","));
            this.sessionId = actor.sessionId();
            return from(actor.sourceAddress(), actor.userAgent());
        }

        /** Who acted, by account alone (a sign-in, a request refused before anyone was recognised). */
        public Builder account(Long id, String username) {
            this.actorId = id;
            this.actorUsername = username;
            return this;
        }

        /** The roles as stored, or null when the entry names none. */
        public Builder roles(String stored) {
            this.actorRoles = stored;
            return this;
        }

        public Builder session(String id) {
            this.sessionId = id;
            return this;
        }

        /** Where the request came from: the source address and the client (User-Agent). */
        public Builder from(String address, String client) {
            this.sourceAddress = address;
            this.userAgent = client;
            return this;
        }

        public Builder facility(Integer facility) {
            this.facilityId = facility;
            return this;
        }

        public Builder action(AuditAction value) {
            this.action = value.code();
            return this;
        }

        /** An event of another module's own vocabulary ("SECURITY:LOGIN_FAILED"): only this module's listeners write them. */
        Builder event(String family, Enum<?> type) {
            this.action = family + ":" + type.name();
            return this;
        }

        public Builder patient(Long patient) {
            this.patientId = patient;
            return this;
        }

        public Builder resource(AuditResource type, Object id) {
            this.resourceType = type == null ? null : type.code();
            this.resourceId = id == null ? null : id.toString();
            return this;
        }

        /** The sections shown or changed, as stored ("IDENTITY,CLINICAL"); null or empty when none. */
        public Builder sections(String value) {
            this.sections = value == null || value.isEmpty() ? null : value;
            return this;
        }

        /** The sections shown or changed, by name in the order given (as the gateway's sections); none when empty. */
        public Builder sections(Collection<? extends Enum<?>> shown) {
            return sections(shown.stream().map(Enum::name).collect(Collectors.joining(",")));
        }

        public Builder decision(Decision value, AuditReason reason) {
            this.decision = value;
            this.reasonCode = reason == null ? null : reason.name();
            return this;
        }

        public Builder purpose(AuditPurpose value) {
            this.purpose = value == null ? null : value.name();
            return this;
        }

        public Builder request(String id) {
            this.requestId = id;
            return this;
        }

        public Builder detail(String text) {
            this.detail = text;
            return this;
        }

        /** An entry as the trail holds it, its codes the stored text (read back, or written by a test as it stands). */
        Builder stored(String storedAction, String storedResourceType, String storedResourceId) {
            this.action = storedAction;
            this.resourceType = storedResourceType;
            this.resourceId = storedResourceId;
            return this;
        }

        /** The decision, reason code, purpose and sections as the trail holds them. */
        Builder stored(Decision value, String storedReason, String storedPurpose, String storedSections) {
            this.decision = value;
            this.reasonCode = storedReason;
            this.purpose = storedPurpose;
            this.sections = storedSections;
            return this;
        }

        public AuditRecord build() {
            if (action == null || decision == null) {
                throw new IllegalStateException("An audit entry names its action and its decision");
            }
            return new AuditRecord(recordedAt, actorId, actorUsername, actorRoles, facilityId, sessionId, sourceAddress, userAgent,
                    action, patientId, resourceType, resourceId, sections, decision, reasonCode, purpose, requestId, detail);
        }
    }
}
