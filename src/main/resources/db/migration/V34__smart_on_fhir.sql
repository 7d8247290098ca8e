-- SMART on FHIR (issue 18, item 4; ADR 0028): the tables of Spring Authorization Server's JDBC services, as the library
-- ships them with PostgreSQL's types (text for blob, timestamptz for timestamp), and the EHR launch contexts.
create table oauth2_registered_client (
    id                            varchar(100) primary key,
    client_id                     varchar(100) not null unique,
    client_id_issued_at           timestamptz not null default current_timestamp,
    client_secret                 varchar(200),
    client_secret_expires_at      timestamptz,
    client_name                   varchar(200) not null,
    client_authentication_methods varchar(1000) not null,
    authorization_grant_types     varchar(1000) not null,
    redirect_uris                 varchar(1000),
    post_logout_redirect_uris     varchar(1000),
    scopes                        varchar(1000) not null,
    client_settings               varchar(2000) not null,
    token_settings                varchar(2000) not null
);

-- One row per authorization of an app by a person: its code, access, refresh and id tokens. Deleted, not marked, when the
-- account's access ends (AccountSecurity): a freeze leaves no token of the account that still works.
create table oauth2_authorization (
    id                            varchar(100) primary key,
    registered_client_id          varchar(100) not null,
    principal_name                varchar(200) not null,
    authorization_grant_type      varchar(100) not null,
    authorized_scopes             varchar(1000),
    attributes                    text,
    state                         varchar(500),
    authorization_code_value      text,
    authorization_code_issued_at  timestamptz,
    authorization_code_expires_at timestamptz,
    authorization_code_metadata   text,
    access_token_value            text,
    access_token_issued_at        timestamptz,
    access_token_expires_at       timestamptz,
    access_token_metadata         text,
    access_token_type             varchar(100),
    access_token_scopes           varchar(1000),
    oidc_id_token_value           text,
    oidc_id_token_issued_at       timestamptz,
    oidc_id_token_expires_at      timestamptz,
    oidc_id_token_metadata        text,
    refresh_token_value           text,
    refresh_token_issued_at       timestamptz,
    refresh_token_expires_at      timestamptz,
    refresh_token_metadata        text,
    user_code_value               text,
    user_code_issued_at           timestamptz,
    user_code_expires_at          timestamptz,
    user_code_metadata            text,
    device_code_value             text,
    device_code_issued_at         timestamptz,
    device_code_expires_at        timestamptz,
    device_code_metadata          text
);
-- The resource server looks an access token up on every request; the token endpoint looks codes and refresh tokens up.
create index oauth2_authorization_access_token on oauth2_authorization (access_token_value);
create index oauth2_authorization_refresh_token on oauth2_authorization (refresh_token_value);
create index oauth2_authorization_code on oauth2_authorization (authorization_code_value);
create index oauth2_authorization_state on oauth2_authorization (state);
create index oauth2_authorization_principal on oauth2_authorization (principal_name);

create table oauth2_authorization_consent (
    registered_client_id varchar(100) not null,
    principal_name       varchar(200) not null,
    authorities          varchar(1000) not null,
    primary key (registered_client_id, principal_name)
);

-- An EHR launch: the chart's "open in app" binds a one-time value to the person, the patient and the app; the app's
-- authorization request names it (scope "launch", parameter launch) and the token answer carries the patient.
create table smart_launch (
    launch_hash  varchar(64) primary key,
    staff_id     bigint not null references staff (id),
    patient_id   bigint not null,
    client_id    varchar(100) not null,
    created_at   timestamptz not null,
    expires_at   timestamptz not null
);

grant select, insert, update, delete on oauth2_registered_client, oauth2_authorization, oauth2_authorization_consent, smart_launch
    to dossier_app;
