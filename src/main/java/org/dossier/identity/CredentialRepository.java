package org.dossier.identity;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@Repository
class CredentialRepository {

    private final JdbcClient jdbc;

    CredentialRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<String> passwordHash(long staffId) {
        return jdbc.sql("select password_hash from staff_credential where staff_id = ?").param(staffId).query(String.class).optional();
    }

    void setPasswordHash(long staffId, String hash, Instant now) {
        jdbc.sql("""
                        insert into staff_credential (staff_id, password_hash, updated_at) values (?, ?, ?)
                        on conflict (staff_id) do update set password_hash = excluded.password_hash, updated_at = excluded.updated_at""")
                .param(staffId).param(hash).param(Timestamp.from(now)).update();
    }

    void markDemo(List<Long> staffIds) {
        jdbc.sql("update staff_credential set demo = true where staff_id = any(?)").param(staffIds.toArray(Long[]::new)).update();
    }

    boolean hasDemo() {
        return jdbc.sql("select exists (select 1 from staff_credential where demo)").query(Boolean.class).single();
    }

    void setPasswordHashes(List<Long> staffIds, String hash, Instant now) {
        jdbc.sql("""
                        insert into staff_credential (staff_id, password_hash, updated_at)
                        select id, ?, ? from unnest(?::bigint[]) as id
                        on conflict (staff_id) do update set password_hash = excluded.password_hash, updated_at = excluded.updated_at""")
                .param(hash).param(Timestamp.from(now)).param(staffIds.toArray(Long[]::new)).update();
    }
}
