-- Encryption at rest (issue 22, ADR 0055): the sentences staff write about a patient's record, the last free text left
-- in clear. Each value is written sealed, bound to its cell (table, column, row, facility); rows written before keep
-- their plaintext until the data-key rotation job seals them, and a row holds each value one way or the other, never both.

-- With the patient's own key (shredded with the patient): why a record is restricted and why the restriction was lifted.
alter table patient_restriction
    add column sealed_reason bytea,
    add column sealed_lift_reason bytea;
alter table patient_restriction alter column reason drop not null;
alter table patient_restriction add constraint patient_restriction_reason_once check ((reason is null) <> (sealed_reason is null));
alter table patient_restriction add constraint patient_restriction_lift_reason_once check (lift_reason is null or sealed_lift_reason is null);

-- With the facility's key: a break-the-glass justification and the officer's review are evidence of a staff member's
-- conduct, kept with the audit trail; a patient's shredding must not erase them.
alter table break_glass_grant
    add column sealed_justification bytea,
    add column sealed_review_comment bytea;
alter table break_glass_grant alter column justification drop not null;
alter table break_glass_grant add constraint break_glass_grant_justification_once check ((justification is null) <> (sealed_justification is null));
alter table break_glass_grant add constraint break_glass_grant_review_comment_once check (review_comment is null or sealed_review_comment is null);

-- With the patient's own key: why a possible duplicate was dismissed (the review's patient's key), why two records were
-- merged and why the merge was undone (the survivor's key: the record that carries the person on).
alter table duplicate_review add column sealed_resolution bytea;
alter table duplicate_review add constraint duplicate_review_resolution_once check (resolution is null or sealed_resolution is null);
alter table patient_merge
    add column sealed_reason bytea,
    add column sealed_undo_reason bytea;
alter table patient_merge alter column reason drop not null;
alter table patient_merge add constraint patient_merge_reason_once check ((reason is null) <> (sealed_reason is null));
alter table patient_merge add constraint patient_merge_undo_reason_once check (undo_reason is null or sealed_undo_reason is null);

-- A registry version's reason ("merged into 12: <why>", an update's reason), beside its sealed snapshot (V50), as V69
-- did for the other version logs. The bulk loader's fixed reason may stay in clear until the rotation job seals it.
alter table patient_version add column sealed_reason bytea;
alter table patient_version alter column reason drop not null;
alter table patient_version add constraint patient_version_reason_once check ((reason is null) <> (sealed_reason is null));
