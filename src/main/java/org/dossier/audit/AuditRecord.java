package org.dossier.audit;

import java.time.Instant;

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
        return new Builder(recordedAt);
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
            this.recordedAt = java.util.Objects.requireNonNull(recordedAt, "recordedAt");
        }

        /** Who acted: the account, its roles as stored ("NURSE,PHYSICIAN"), its session, address and client. */
        public Builder actor(Long id, String username, String roles, String session, String address, String client) {
            this.actorId = id;
            this.actorUsername = username;
            this.actorRoles = roles;
            this.sessionId = session;
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

        public AuditRecord build() {
            if (action == null || decision == null) {
                throw new IllegalStateException("An audit entry names its action and its decision");
            }
            return new AuditRecord(recordedAt, actorId, actorUsername, actorRoles, facilityId, sessionId, sourceAddress, userAgent,
                    action, patientId, resourceType, resourceId, sections, decision, reasonCode, purpose, requestId, detail);
        }
    }
}
