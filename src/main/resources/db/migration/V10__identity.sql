-- identity: sessions (Spring Session JDBC), second factors, recovery codes, API tokens, throttling,
-- enrolment links (Spring Security one-time tokens) and passkeys (Spring Security WebAuthn tables).

create table spring_session (
    primary_id            char(36) not null,
    session_id            char(36) not null,
    creation_time         bigint not null,
    last_access_time      bigint not null,
    max_inactive_interval int not null,
    expiry_time           bigint not null,
    principal_name        varchar(100),
    constraint spring_session_pk primary key (primary_id)
);
create unique index spring_session_ix1 on spring_session (session_id);
create index spring_session_ix2 on spring_session (expiry_time);
create index spring_session_ix3 on spring_session (principal_name);

create table spring_session_attributes (
    session_primary_id char(36) not null,
    attribute_name     varchar(200) not null,
    attribute_bytes    bytea not null,
    constraint spring_session_attributes_pk primary key (session_primary_id, attribute_name),
    constraint spring_session_attributes_fk foreign key (session_primary_id) references spring_session (primary_id) on delete cascade
);

-- Who opened each session, from where: for "my sessions" and for revocation by the security officer.
create table session_info (
    session_ref        char(32) primary key,
    staff_id           bigint not null references staff (id),
    username           text not null,
    current_session_id char(36),
    created_at         timestamptz not null,
    source_address     text,
    user_agent         text,
    revoked_at         timestamptz,
    revoked_by         bigint references staff (id)
);
create index session_info_by_staff on session_info (staff_id);

alter table staff_credential add column demo boolean not null default false;

-- TOTP (RFC 6238): the shared secret, encrypted with the server key; the last time step used, so that a
-- code is accepted once.
create table totp_credential (
    staff_id        bigint primary key references staff (id),
    secret_sealed   text not null,
    confirmed_at    timestamptz,
    last_used_step  bigint not null default 0,
    created_at      timestamptz not null
);

create table recovery_code (
    staff_id    bigint not null references staff (id),
    code_hash   char(64) not null,
    created_at  timestamptz not null,
    used_at     timestamptz,
    primary key (staff_id, code_hash)
);

create table api_token (
    id            bigint primary key generated always as identity,
    staff_id      bigint not null references staff (id),
    token_hash    char(64) not null unique,
    issued_at     timestamptz not null,
    expires_at    timestamptz not null,
    revoked_at    timestamptz,
    revoked_by    bigint references staff (id),
    source_address text,
    user_agent    text,
    check (expires_at > issued_at)
);
create index api_token_by_staff on api_token (staff_id) where revoked_at is null;

-- Failed sign-in attempts per key (an account or a source address) in a sliding hour.
create table auth_throttle (
    throttle_key   text primary key,
    window_start   timestamptz not null,
    failures       int not null,
    last_failure   timestamptz not null
);

create table one_time_tokens (
    token_value varchar(36) not null primary key,
    username    varchar(100) not null,
    expires_at  timestamp not null
);

create table user_entities (
    id           varchar(1000) not null primary key,
    name         varchar(100) not null,
    display_name varchar(200)
);

create table user_credentials (
    credential_id                varchar(1000) not null primary key,
    user_entity_user_id          varchar(1000) not null,
    public_key                   bytea not null,
    signature_count              bigint,
    uv_initialized               boolean,
    backup_eligible              boolean not null,
    authenticator_transports     varchar(1000),
    public_key_credential_type   varchar(100),
    backup_state                 boolean not null,
    attestation_object           bytea,
    attestation_client_data_json bytea,
    created                      timestamp,
    last_used                    timestamp,
    label                        varchar(1000) not null
);
create index user_credentials_by_user on user_credentials (user_entity_user_id);
