package org.dossier.organization;

import org.dossier.platform.InvalidInputException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

/** The organizations, locations and practitioners outside the group that imported records name. */
@Service
public class ExternalDirectory {

    private final JdbcClient jdbc;
    private final Clock clock;

    ExternalDirectory(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Adds an entry, or renames the one with the same identifier (an administrator's import). */
    @Transactional
    public ExternalParty record(Actor actor, ExternalParty.Kind kind, String system, String value, String name, String detail, String source) {
        actor.requireAnyRole("change the directory of external organizations and practitioners", Role.ADMIN);
        if (system == null || system.isBlank() || value == null || value.isBlank()) {
            throw new InvalidInputException("identifier", "an identifier (system and value) is required");
        }
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "is required");
        }
        jdbc.sql("""
                        insert into external_party (kind, system, value, name, detail, source, created_at, created_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?)
                        on conflict (kind, system, value) do update set name = excluded.name, detail = excluded.detail""")
                .param(kind.name()).param(system.strip()).param(value.strip()).param(name.strip()).param(detail)
                .param(source == null ? "import" : source).param(Timestamp.from(clock.instant())).param(actor.staffId()).update();
        return find(kind, system, value).orElseThrow();
    }

    public Optional<ExternalParty> find(ExternalParty.Kind kind, String system, String value) {
        return jdbc.sql("select id, kind, system, value, name, detail from external_party where kind = ? and system = ? and value = ?")
                .param(kind.name()).param(system).param(value)
                .query((rs, n) -> new ExternalParty(rs.getLong("id"), ExternalParty.Kind.valueOf(rs.getString("kind")), rs.getString("system"),
                        rs.getString("value"), rs.getString("name"), rs.getString("detail"))).optional();
    }
}
