-- SMART on FHIR (ADR 0028): the key that signs OIDC id tokens, generated once and shared by every node, so that an id
-- token verifies after a restart and whichever node issued it. The private key is sealed (AES-256-GCM) under the server
-- key DOSSIER_SECRET_KEY, which is kept outside the database: a copy of the database does not yield it.
-- One row: the first node to start inserts it, the others read it.
create table smart_signing_key (
    id             smallint primary key check (id = 1),
    key_id         varchar(100) not null,
    public_jwk     text not null,
    sealed_private text not null,
    created_at     timestamptz not null
);

-- Read and inserted once; never changed by the application (a rotation is an operator's migration).
grant select, insert on smart_signing_key to dossier_app;
revoke update, delete on smart_signing_key from dossier_app;

-- From now on codes and tokens are kept as SHA-256 hashes (HashedTokenAuthorizations). Authorizations stored before
-- hold plain values, which no lookup would find any more: delete them, so that no usable value stays in the database.
-- Apps authorize again.
delete from oauth2_authorization;
