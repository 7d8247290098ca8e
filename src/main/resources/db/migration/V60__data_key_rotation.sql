-- Data-key rotation (ADR 0047): a facility's FIELD keyset gets a new primary key, and a background job seals every value
-- again, batch by batch. Its progress is stored here, per sealed table, so that a restart resumes where it stopped.
-- No patient data: facility ids, counts, cursors (row or patient ids).
create table data_key_rotation (
    id               bigint generated always as identity primary key,
    facility_id      int not null references facility (id),
    key_id           bigint not null,
    started_at       timestamptz not null,
    finished_at      timestamptz,
    resealed         bigint not null default 0,
    sealed_clear     bigint not null default 0,
    patient_keys     bigint not null default 0,
    erased_skipped   bigint not null default 0
);
create unique index data_key_rotation_running on data_key_rotation (facility_id) where finished_at is null;

create table data_key_rotation_progress (
    rotation_id   bigint not null references data_key_rotation (id),
    sealed_values text not null,
    after_cursor  bigint not null default 0,
    done          boolean not null default false,
    primary key (rotation_id, sealed_values)
);
revoke delete on data_key_rotation, data_key_rotation_progress from dossier_app;
