-- Crypto-shredding (ADR 0047): the register of patients whose own key was, or is to be, erased. A security officer asks,
-- another person (security officer or administrator of the facility) confirms; the key store then holds a tombstone in
-- place of the patient's key, and every copy of the database holds only ciphertexts nothing opens. The register keeps what
-- the law asks to keep of an erasure: whose (the patient id, never a name), on what ground, who asked, who confirmed, when.
create table patient_erasure (
    id            bigint generated always as identity primary key,
    patient_id    bigint not null references patient (id),
    facility_id   int    not null references facility (id),
    ground        text   not null check (ground in ('RETENTION_ENDED', 'PATIENT_REQUEST', 'COURT_ORDER')),
    requested_by  bigint not null references staff (id),
    requested_at  timestamptz not null,
    status        text   not null default 'PENDING' check (status in ('PENDING', 'SHREDDED', 'WITHDRAWN')),
    decided_by    bigint references staff (id),
    decided_at    timestamptz,
    check (status <> 'SHREDDED' or decided_by <> requested_by),
    check ((status = 'PENDING') = (decided_at is null))
);
create unique index patient_erasure_once on patient_erasure (patient_id) where status <> 'WITHDRAWN';
-- The register is never rewritten: a request is decided once, and nobody deletes a line of it.
revoke delete on patient_erasure from dossier_app;
-- The facility wall (ADR 0012).
alter table patient_erasure enable row level security;
create policy facility_wall on patient_erasure to dossier_app using (facility_in_scope(facility_id))
    with check (facility_in_scope(facility_id));
