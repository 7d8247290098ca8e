-- The patient portal (ADR 0039): one-time enrolment codes issued at the front desk, patients' own accounts (password and
-- TOTP second factor), and the cases a patient opens about an access to their record they do not recognise.

-- A code is shown once to the desk and kept only as its SHA-256; it is used once, and expires.
create table portal_enrolment_code (
    id          bigserial primary key,
    patient_id  bigint      not null references patient (id),
    facility_id int         not null,
    code_hash   char(64)    not null unique,
    issued_by   bigint      not null references staff (id),
    issued_at   timestamptz not null,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    revoked_at  timestamptz
);
create index portal_enrolment_code_by_patient on portal_enrolment_code (patient_id);

-- One account per patient record; PENDING until its authenticator is confirmed with a first code.
create table portal_account (
    id                 bigserial primary key,
    patient_id         bigint      not null unique references patient (id),
    facility_id        int         not null,
    username           text        not null unique check (username ~ '^[a-z][a-z0-9.-]{2,39}$'),
    password_hash      text        not null,
    totp_secret_sealed text        not null,
    totp_last_step     bigint      not null default 0,
    status             text        not null check (status in ('PENDING', 'ACTIVE', 'DISABLED')),
    created_at         timestamptz not null,
    activated_at       timestamptz
);

-- "I don't recognise this access": the case, and the audit entries it is about (a copy of what the patient was shown,
-- each with its sequence number in the chained trail, where the officer verifies it).
create table portal_case (
    id           bigserial primary key,
    patient_id   bigint      not null references patient (id),
    facility_id  int         not null,
    account_id   bigint      not null references portal_account (id),
    patient_note text,
    opened_at    timestamptz not null,
    status       text        not null check (status in ('OPEN', 'CLOSED')),
    outcome      text check (outcome in ('LEGITIMATE', 'MISUSE', 'UNDETERMINED')),
    outcome_note text,
    closed_by    bigint references staff (id),
    closed_at    timestamptz,
    check ((status = 'OPEN') = (closed_at is null))
);
create index portal_case_open on portal_case (status, opened_at);
create index portal_case_by_patient on portal_case (patient_id, opened_at);

create table portal_case_entry (
    case_id     bigint      not null references portal_case (id),
    patient_id  bigint      not null,
    facility_id int         not null,
    audit_seq   bigint      not null,
    recorded_at timestamptz not null,
    actor_id    bigint,
    actor_roles text,
    reason_code text,
    channel     text        not null,
    primary key (case_id, audit_seq)
);

-- The facility wall (ADR 0012) on every table holding a patient's rows.
do $$
declare
    t text;
begin
    foreach t in array array['portal_enrolment_code', 'portal_account', 'portal_case', 'portal_case_entry'] loop
        execute format('alter table %I enable row level security', t);
        execute format('create policy facility_wall on %I to dossier_app using (facility_in_scope(facility_id)) '
                       'with check (facility_in_scope(facility_id))', t);
    end loop;
end $$;
