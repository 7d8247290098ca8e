-- Data-encryption keys (ADR 0041): one Tink keyset per facility and purpose (FIELD: AES-256-GCM for PHI columns, INDEX:
-- HMAC-SHA256 for blind indexes), stored only wrapped by the key-encryption key, which never enters the database (a key
-- file outside the data directory in development, a PKCS#11 token in production). kek_id names the KEK that wrapped the
-- row, so that a KEK rotation re-wraps row by row while the server runs.
create table data_key (
    facility_id int not null references facility (id),
    purpose     text not null check (purpose in ('FIELD', 'INDEX')),
    kek_id      text not null,
    wrapped     bytea not null,
    created_at  timestamptz not null,
    wrapped_at  timestamptz not null,
    primary key (facility_id, purpose)
);
-- The server creates and re-wraps keys; it never deletes one (that would shred a facility): only the owner can.
revoke delete on data_key from dossier_app;
