-- Encryption at rest, prescribing and billing (issue 22, ADR 0052, docs/security/encryption.md): what says what a patient
-- takes, who holds their health card, their NIR, and what the insurer or a clerk wrote of their care is written sealed with
-- the patient's own key (ADR 0047), each value bound to its cell (table, column, row, facility). Ids, dates, statuses,
-- amounts, act codes and their catalogue labels stay in clear. Rows written before this migration keep their plaintext
-- columns, read as they are, until the data-key rotation job seals them (a row holds one or the other, never both).

-- A medication order's drug, ATC and CIP codes, dose, route, frequency, override reason and imported source: one document.
alter table medication_order
    add column sealed_order bytea,
    add column sealed_status_reason bytea;
alter table medication_order alter column drug drop not null;
alter table medication_order alter column dose drop not null;
alter table medication_order alter column route drop not null;
alter table medication_order alter column frequency drop not null;
alter table medication_order add constraint medication_order_sealed_once check ((drug is null) <> (sealed_order is null));
alter table medication_order add constraint medication_order_status_reason_once
    check (status_reason is null or sealed_status_reason is null);

-- A Carte Vitale read: the holder's name and NIR, the beneficiary's name, the rights (AMO, AMC, C2S, ALD): one document.
alter table health_card_read add column sealed_card bytea;
alter table health_card_read alter column card_holder_name drop not null;
alter table health_card_read alter column card_holder_nir drop not null;
alter table health_card_read alter column beneficiary_name drop not null;
alter table health_card_read alter column rights drop not null;
alter table health_card_read add constraint health_card_read_sealed_once check ((card_holder_name is null) <> (sealed_card is null));

-- A claim's beneficiary NIR, and the insurer's reason for a rejection (free text that may name the care).
alter table claim
    add column sealed_beneficiary_nir bytea,
    add column sealed_rejection_reason bytea;
alter table claim alter column beneficiary_nir drop not null;
alter table claim add constraint claim_nir_once check ((beneficiary_nir is null) <> (sealed_beneficiary_nir is null));
alter table claim add constraint claim_rejection_once check (rejection_reason is null or sealed_rejection_reason is null);

-- An invoice's status reason (a cancellation's free text).
alter table invoice add column sealed_status_reason bytea;
alter table invoice add constraint invoice_status_reason_once check (status_reason is null or sealed_status_reason is null);

-- Every version of these records, whole.
alter table prescribing_version add column sealed_snapshot bytea;
alter table prescribing_version alter column snapshot drop not null;
alter table prescribing_version add constraint prescribing_version_snapshot_once
    check ((snapshot is null) <> (sealed_snapshot is null));
alter table billing_version add column sealed_snapshot bytea;
alter table billing_version alter column snapshot drop not null;
alter table billing_version add constraint billing_version_snapshot_once check ((snapshot is null) <> (sealed_snapshot is null));

-- The data-key rotation job reads these tables patient by patient (SealedValues).
create index prescribing_version_by_patient on prescribing_version (facility_id, patient_id);
create index billing_version_by_patient on billing_version (facility_id, patient_id);
