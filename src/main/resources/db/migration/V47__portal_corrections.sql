-- Correction requests from the patient portal (ADR 0040): the patient asks that their identity or contacts be corrected;
-- the front desk of the patient's facility (who corrects identities there) answers, and the patient sees the answer.
create table portal_correction (
    id           bigserial primary key,
    patient_id   bigint      not null references patient (id),
    facility_id  int         not null,
    account_id   bigint      not null references portal_account (id),
    about        text        not null check (about in ('IDENTITY', 'CONTACTS')),
    message      text        not null check (length(message) between 1 and 1000),
    requested_at timestamptz not null,
    status       text        not null check (status in ('OPEN', 'DONE', 'DECLINED')),
    answer       text,
    handled_by   bigint references staff (id),
    handled_at   timestamptz,
    check ((status = 'OPEN') = (handled_at is null))
);
create index portal_correction_open on portal_correction (facility_id, status, requested_at);
create index portal_correction_by_patient on portal_correction (patient_id, requested_at);

-- The facility wall (ADR 0012).
alter table portal_correction enable row level security;
create policy facility_wall on portal_correction to dossier_app using (facility_in_scope(facility_id))
    with check (facility_in_scope(facility_id));
