package org.dossier.identity;

import org.dossier.organization.StaffAccounts;
import org.dossier.platform.AccountConnections;
import org.dossier.organization.StaffMember;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Opaque bearer tokens for programmatic clients: 256 random bits, stored as a SHA-256 hash, valid at most
 * an hour, revocable. A token carries exactly its owner's rights: read from the database, then remembered by this node
 * until the account or its tokens change on any node, for at most {@code dossier.auth.token-cache.max-age}
 * ({@link LiveTokens}, ADR 0037).
 */
@Component
class ApiTokens {

    static final Duration MAX_LIFETIME = Duration.ofHours(1);
    static final String PREFIX = "dst_";

    private final JdbcClient jdbc;
    /** The token lookup of every request, on connections that carry no facility scope (no scope reset per request). */
    private final JdbcClient accounts;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final LiveTokens remembered;

    ApiTokens(JdbcClient jdbc, AccountConnections accounts, Clock clock, LiveTokens remembered) {
        this.jdbc = jdbc;
        this.accounts = accounts.jdbc();
        this.clock = clock;
        this.remembered = remembered;
    }

    /** A token as its owner may see it: never its value, which exists only in the issuing response. */
    record TokenInfo(long id, long staffId, Instant issuedAt, Instant expiresAt, Instant revokedAt, String sourceAddress, String userAgent) {
    }

    record Issued(String value, TokenInfo info) {
    }

    Issued issue(long staffId, Duration lifetime, String sourceAddress, String userAgent) {
        Duration life = lifetime == null || lifetime.compareTo(MAX_LIFETIME) > 0 || lifetime.isNegative() || lifetime.isZero()
                ? MAX_LIFETIME : lifetime;
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String value = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        long id = jdbc.sql("""
                        insert into api_token (staff_id, token_hash, issued_at, expires_at, source_address, user_agent)
                        values (?, ?, ?, ?, ?, ?) returning id""")
                .param(staffId).param(hash(value)).param(Timestamp.from(now)).param(Timestamp.from(now.plus(life)))
                .param(sourceAddress).param(userAgent).query(Long.class).single();
        return new Issued(value, find(id).orElseThrow());
    }

    /** The live token with this value (known, not expired, not revoked) and its account whatever its status, in one statement. */
    record Live(TokenInfo token, StaffMember account) {
    }

    Optional<Live> liveWithAccount(String value) {
        if (value == null || !value.startsWith(PREFIX) || value.length() > 100) {
            return Optional.empty();
        }
        String hash = hash(value);
        return remembered.get(hash, () -> read(hash));
    }

    private Optional<Live> read(String hash) {
        return accounts.sql("""
                        select t.id as token_id, t.staff_id, t.issued_at, t.expires_at, t.source_address, t.user_agent, a.*
                          from api_token t cross join lateral staff_account(t.staff_id) a
                         where t.token_hash = ? and t.revoked_at is null and t.expires_at > ?""")
                .param(hash).param(Timestamp.from(clock.instant()))
                .query((rs, n) -> new Live(new TokenInfo(rs.getLong("token_id"), rs.getLong("staff_id"),
                        rs.getTimestamp("issued_at").toInstant(), rs.getTimestamp("expires_at").toInstant(), null,
                        rs.getString("source_address"), rs.getString("user_agent")), StaffAccounts.read(rs)))
                .optional();
    }

    Optional<TokenInfo> find(long id) {
        return jdbc.sql("select * from api_token where id = ?").param(id).query(ApiTokens::map).optional();
    }

    List<TokenInfo> liveOf(long staffId) {
        return jdbc.sql("select * from api_token where staff_id = ? and revoked_at is null and expires_at > ? order by issued_at desc")
                .param(staffId).param(Timestamp.from(clock.instant())).query(ApiTokens::map).list();
    }

    boolean revoke(long id, Long byStaffId) {
        Long owner = jdbc.sql("update api_token set revoked_at = ?, revoked_by = ? where id = ? and revoked_at is null returning staff_id")
                .param(Timestamp.from(clock.instant())).param(byStaffId).param(id).query(Long.class).optional().orElse(null);
        if (owner != null) {
            remembered.forgetOnCommit(owner);
        }
        return owner != null;
    }

    int revokeAll(long staffId, Long byStaffId) {
        int revoked = jdbc.sql("update api_token set revoked_at = ?, revoked_by = ? where staff_id = ? and revoked_at is null")
                .param(Timestamp.from(clock.instant())).param(byStaffId).param(staffId).update();
        remembered.forgetOnCommit(staffId);
        return revoked;
    }

    /** How many tokens this node remembers now (for tests and the operators' view). */
    int remembered() {
        return remembered.size();
    }

    private static TokenInfo map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new TokenInfo(rs.getLong("id"), rs.getLong("staff_id"), rs.getTimestamp("issued_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant(), revoked == null ? null : revoked.toInstant(), rs.getString("source_address"),
                rs.getString("user_agent"));
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
