package org.dossier.support;

import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;

/** What a dump holds of the rows a query selects: {@code COPY ... TO STDOUT} as the tables' owner, past row-level security. */
public final class OwnerCopy {

    private OwnerCopy() {
    }

    public static String of(DataSource owner, String query) {
        try (Connection c = owner.getConnection()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (" + query + ") to stdout", out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException("COPY of " + query, e);
        }
    }
}
