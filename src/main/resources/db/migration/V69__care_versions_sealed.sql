-- Encryption at rest (issue 22, ADR 0053): every version of a care record (a stay, an appointment, a care-team member,
-- a referral, as it became: admission reasons and appointment reasons included) is written sealed with the patient's own
-- key, as the clinical, prescribing and billing version logs are (V64, V65). Versions written before keep their clear
-- snapshot until the data-key rotation job seals them; a version holds its snapshot one way or the other, never both.
alter table care_version add column sealed_snapshot bytea;
alter table care_version alter column snapshot drop not null;
alter table care_version add constraint care_version_snapshot_once check ((snapshot is null) <> (sealed_snapshot is null));

-- The data-key rotation job reads the table patient by patient (SealedValues).
create index care_version_by_patient on care_version (facility_id, patient_id);

-- A version's reason may repeat what the record says ("referred: <why>", "cancelled by the patient: <their words>",
-- "completed: <why>"): in every sealed version table it is written sealed with the patient's key too, beside the
-- snapshot. Reasons written before stay as they are (a version holds its reason one way or the other, never both).
alter table clinical_version add column sealed_reason bytea;
alter table clinical_version alter column reason drop not null;
alter table clinical_version add constraint clinical_version_reason_once check (reason is null or sealed_reason is null);
alter table prescribing_version add column sealed_reason bytea;
alter table prescribing_version alter column reason drop not null;
alter table prescribing_version add constraint prescribing_version_reason_once check (reason is null or sealed_reason is null);
alter table billing_version add column sealed_reason bytea;
alter table billing_version alter column reason drop not null;
alter table billing_version add constraint billing_version_reason_once check (reason is null or sealed_reason is null);
alter table care_version add column sealed_reason bytea;
alter table care_version alter column reason drop not null;
alter table care_version add constraint care_version_reason_once check (reason is null or sealed_reason is null);
