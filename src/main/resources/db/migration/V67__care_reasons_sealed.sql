-- Encryption at rest of what care says of a patient's condition (issue 22, ADR 0053): an appointment's reason and the
-- reason given when it was cancelled or missed, a referral's reason (what it asks for), and an encounter imported as
-- history's type (its text) and reason, and (below) a portal correction's message and answer, are written sealed with the
-- patient's own key (ADR 0047), each bound to its cell (table, column, row, facility). Ids, times, statuses, units and
-- practitioners stay in clear: agendas, free slots and the care relationships are queried on them. Rows written before
-- this migration keep their plaintext until the data-key rotation job seals them (care's SealedValues); a row holds each
-- value one way or the other, never both.
alter table appointment
    add column sealed_reason bytea,
    add column sealed_status_reason bytea;
alter table appointment alter column reason drop not null;
alter table appointment add constraint appointment_reason_once check ((reason is null) <> (sealed_reason is null));
alter table appointment add constraint appointment_status_reason_once check (status_reason is null or sealed_status_reason is null);

alter table referral add column sealed_reason bytea;
alter table referral alter column reason drop not null;
alter table referral add constraint referral_reason_once check ((reason is null) <> (sealed_reason is null));

alter table encounter_history
    add column sealed_type bytea,
    add column sealed_reason bytea;
alter table encounter_history alter column type drop not null;
alter table encounter_history add constraint encounter_history_type_once check ((type is null) <> (sealed_type is null));
alter table encounter_history add constraint encounter_history_reason_once check (reason is null or sealed_reason is null);

-- The import's name these rows copied (the file's name, as V66 renamed import_origin's): Synthea's names the patient.
update encounter_history set source = 'name-sha256-' || encode(sha256(convert_to(source, 'UTF8')), 'hex')
    where source not like 'sha256-%' and source not like 'name-sha256-%';
update duplicate_review set source = 'name-sha256-' || encode(sha256(convert_to(source, 'UTF8')), 'hex')
    where source not like 'sha256-%' and source not like 'name-sha256-%';
update external_party set source = 'name-sha256-' || encode(sha256(convert_to(source, 'UTF8')), 'hex')
    where source not like 'sha256-%' and source not like 'name-sha256-%' and source <> 'import';

-- The portal (V67, ADR 0053): what a patient asked to be corrected in their record, and the desk's answer.
alter table portal_correction
    add column sealed_message bytea,
    add column sealed_answer bytea;
alter table portal_correction alter column message drop not null;
alter table portal_correction add constraint portal_correction_message_once check ((message is null) <> (sealed_message is null));
alter table portal_correction add constraint portal_correction_answer_once check (answer is null or sealed_answer is null);
