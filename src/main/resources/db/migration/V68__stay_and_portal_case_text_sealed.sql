-- Encryption at rest, the rest of the records slice (issue 22, ADR 0053): the free text left in clear by V67, written
-- sealed with the patient's own key (ADR 0047), each value bound to its cell (table, column, row, facility). Rows written
-- before keep their plaintext until the data-key rotation job seals them (each table is a SealedValues); a row holds each
-- value one way or the other, never both.

-- A stay's admission reason (why the patient came in) and discharge destination (where they went).
alter table stay
    add column sealed_admission_reason bytea,
    add column sealed_discharge_destination bytea;
alter table stay alter column admission_reason drop not null;
alter table stay add constraint stay_admission_reason_once check ((admission_reason is null) <> (sealed_admission_reason is null));
alter table stay add constraint stay_discharge_destination_once check (discharge_destination is null or sealed_discharge_destination is null);

-- A portal case: what the patient said about an access to their record (or the system's note), and the officer's answer.
alter table portal_case
    add column sealed_patient_note bytea,
    add column sealed_outcome_note bytea;
alter table portal_case add constraint portal_case_patient_note_once check (patient_note is null or sealed_patient_note is null);
alter table portal_case add constraint portal_case_outcome_note_once check (outcome_note is null or sealed_outcome_note is null);
