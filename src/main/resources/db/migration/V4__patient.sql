-- patient: identity, demographics, contacts and coverage. A patient record belongs to one facility
-- (its IPP domain), which keeps every patient row facility-keyed for isolation and sharding.
create table patient (
    id                  bigint primary key,
    facility_id         int not null references facility (id),
    ipp                 text not null,
    version             int not null,
    status              text not null check (status in ('ACTIVE', 'MERGED')),
    merged_into         bigint references patient (id),
    birth_family_name   text not null,
    used_name           text,
    given_names         text not null,
    birth_date          date not null,
    sex                 char(1) not null check (sex in ('F', 'M', 'U')),
    birthplace_code     text,
    ins_matricule       char(15),
    ins_oid             text,
    identity_status     text not null check (identity_status in ('PROVISIONAL', 'RECOVERED', 'VALIDATED', 'QUALIFIED')),
    coverage_nir        char(15),
    details             json not null,
    -- accent- and case-free search keys, computed by the application (NameKeys), compared byte-wise
    family_key          text collate "C" not null,
    used_key            text collate "C",
    given_key           text collate "C" not null,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    unique (facility_id, ipp)
);
create sequence patient_id_seq as bigint owned by patient.id;
alter table patient alter column id set default nextval('patient_id_seq');

create index patient_by_family_key on patient (facility_id, family_key, given_key) where status = 'ACTIVE';
create index patient_by_used_key on patient (facility_id, used_key, given_key) where status = 'ACTIVE' and used_key is not null;
create index patient_by_birth_date on patient (facility_id, birth_date) where status = 'ACTIVE';
create index patient_by_ins on patient (ins_matricule) where ins_matricule is not null;
create index patient_by_coverage_nir on patient (coverage_nir) where coverage_nir is not null;

-- Every version of every patient, in full: nothing is overwritten without a trace.
create table patient_version (
    patient_id  bigint not null references patient (id),
    version     int not null,
    facility_id int not null,
    recorded_at timestamptz not null,
    author_id   bigint references staff (id),
    reason      text not null,
    snapshot    json not null,
    primary key (patient_id, version)
);

create table patient_merge (
    id          bigint primary key generated always as identity,
    facility_id int not null references facility (id),
    survivor_id bigint not null references patient (id),
    merged_id   bigint not null references patient (id),
    merged_at   timestamptz not null,
    merged_by   bigint not null references staff (id),
    reason      text not null,
    undone_at   timestamptz,
    undone_by   bigint references staff (id),
    undo_reason text
);
create index patient_merge_by_merged on patient_merge (merged_id);
create index patient_merge_by_survivor on patient_merge (survivor_id);
