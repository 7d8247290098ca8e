-- Encryption at rest, first columns of the registry (ADR 0041, docs/security/encryption.md): a patient's addresses, phones,
-- emails, contacts, physician and coverage (the JSON "details", never searched) and every version of the record (the full
-- snapshot, names included) are written sealed with the facility's data key, bound to their table, column and row.
-- Rows written before this migration keep their plaintext column until they are sealed again (a later change of the
-- record, or the re-encryption job of the next slice); a row holds one or the other, never both.
alter table patient add column sealed_details bytea;
alter table patient alter column details drop not null;
alter table patient add constraint patient_details_once check ((details is null) <> (sealed_details is null));

alter table patient_version add column sealed_snapshot bytea;
alter table patient_version alter column snapshot drop not null;
alter table patient_version add constraint patient_version_snapshot_once check ((snapshot is null) <> (sealed_snapshot is null));
