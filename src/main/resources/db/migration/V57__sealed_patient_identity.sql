-- Encryption at rest, the identity of the registry (issue 22, ADR 0041/0042 and 0046, docs/security/encryption.md):
-- IPP, birth and used family names, given names, birth date, INS and the coverage's NIR are written sealed, each with the
-- facility's FIELD data key and bound to its own cell (table, column, row, facility). The search runs on blind indexes:
-- search_tokens holds a record's keyed-HMAC tokens (name prefixes of 3 to 12 letters, birth date, INS, NIR, IPP, phones)
-- under the facility's INDEX key, compared by equality only through a GIN index.
-- Rows written before this migration keep their plaintext columns until the server seals them at its next start
-- (patient.IdentitySealing, resumable); a row holds its given names one way or the other, never both.
alter table patient
    add column sealed_ipp bytea,
    add column sealed_birth_family_name bytea,
    add column sealed_used_name bytea,
    add column sealed_given_names bytea,
    add column sealed_birth_date bytea,
    add column sealed_ins_matricule bytea,
    add column sealed_coverage_nir bytea,
    add column search_tokens bytea[];

alter table patient alter column ipp drop not null;
alter table patient alter column birth_family_name drop not null;
alter table patient alter column given_names drop not null;
alter table patient alter column birth_date drop not null;
alter table patient alter column family_key drop not null;
alter table patient alter column given_key drop not null;
alter table patient add constraint patient_identity_once check ((given_names is null) <> (sealed_given_names is null));
alter table patient add constraint patient_birth_date_once check ((birth_date is null) <> (sealed_birth_date is null));

-- The plaintext keys' indexes would only index what is no longer written.
drop index patient_by_family_key;
drop index patient_by_used_key;
drop index patient_by_birth_date;
drop index patient_by_ins;
drop index patient_by_coverage_nir;

create index patient_by_search_token on patient using gin (search_tokens);
