-- Results and documents a clinician released to the patient (issue 23, ADR 0044): only these reach the patient portal.
-- One row per released record; a release is not withdrawn here (a wrong record is marked entered in error, which hides it).
create table clinical_release (
    record_kind  text        not null check (record_kind in ('OBSERVATION', 'DOCUMENT')),
    record_id    bigint      not null,
    patient_id   bigint      not null references patient (id),
    facility_id  int         not null,
    released_by  bigint      not null references staff (id),
    released_at  timestamptz not null,
    primary key (record_kind, record_id)
);
create index clinical_release_by_patient on clinical_release (patient_id, record_kind);

-- The facility wall (ADR 0012).
alter table clinical_release enable row level security;
create policy facility_wall on clinical_release to dossier_app using (facility_in_scope(facility_id))
    with check (facility_in_scope(facility_id));
