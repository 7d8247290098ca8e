-- access: restricted records and break-the-glass grants.
create table patient_restriction (
    id          bigint generated always as identity primary key,
    patient_id  bigint not null references patient (id),
    facility_id int    not null references facility (id),
    kind        text   not null check (kind in ('STAFF', 'REQUESTED')),
    staff_id    bigint references staff (id),
    reason      text   not null,
    created_by  bigint not null references staff (id),
    created_at  timestamptz not null,
    lifted_at   timestamptz,
    lifted_by   bigint references staff (id),
    lift_reason text
);
create unique index patient_restriction_active on patient_restriction (patient_id) where lifted_at is null;

create table break_glass_grant (
    id             bigint generated always as identity primary key,
    staff_id       bigint not null references staff (id),
    patient_id     bigint not null references patient (id),
    facility_id    int    not null references facility (id),
    reason_code    text   not null,
    justification  text   not null,
    session_id     text,
    granted_at     timestamptz not null,
    expires_at     timestamptz not null,
    review_outcome text check (review_outcome in ('JUSTIFIED', 'NOT_JUSTIFIED')),
    review_comment text,
    reviewed_by    bigint references staff (id),
    reviewed_at    timestamptz
);
create index break_glass_by_staff on break_glass_grant (staff_id, patient_id, expires_at);
create index break_glass_by_staff_time on break_glass_grant (staff_id, granted_at);
create index break_glass_pending on break_glass_grant (facility_id, granted_at) where review_outcome is null;
