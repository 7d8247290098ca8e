-- A legal guardian's link to a minor's record (issue 23, ADR 0050): the guardian's portal account (the credential the
-- desk checked, not only a person) reads the minor's record through the portal while the link holds. The front desk of
-- the minor's facility creates and ends it; it lapses by itself at the minor's 18th birthday (the gateway checks the
-- birth date at each read, nothing here needs to run). Ended links stay: they are the evidence of who could read when.
create table portal_guardian_link (
    id                  bigserial primary key,
    guardian_account_id bigint      not null references portal_account (id),
    minor_patient_id    bigint      not null references patient (id),
    facility_id         int         not null references facility (id),
    created_by          bigint      not null references staff (id),
    created_at          timestamptz not null,
    ended_at            timestamptz,
    ended_by            bigint references staff (id),
    check ((ended_at is null) = (ended_by is null))
);
-- At most one holding link per guardian and minor; the gateway reads it by both.
create unique index portal_guardian_link_holding on portal_guardian_link (guardian_account_id, minor_patient_id)
    where ended_at is null;
create index portal_guardian_link_by_minor on portal_guardian_link (minor_patient_id);

-- The facility wall (ADR 0012).
alter table portal_guardian_link enable row level security;
create policy facility_wall on portal_guardian_link to dossier_app using (facility_in_scope(facility_id))
    with check (facility_in_scope(facility_id));
