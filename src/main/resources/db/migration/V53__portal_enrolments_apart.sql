-- The portal after review (ADR 0039, amended 2026-12-07). Each enrolment is an account of its own: enrolling again
-- supersedes the patient's account instead of overwriting it, so the reads made under the earlier one keep an actor that
-- is not the current one's, and the patient is shown them. The account names the code it was enrolled with (and so the
-- desk member who issued it). A code counts the wrong birth dates typed with it, and is used up after ten.
alter table portal_account drop constraint portal_account_patient_id_key;
alter table portal_account drop constraint portal_account_username_key;
alter table portal_account drop constraint portal_account_status_check;
alter table portal_account add constraint portal_account_status_check
    check (status in ('PENDING', 'ACTIVE', 'DISABLED', 'SUPERSEDED'));
alter table portal_account add column code_id bigint references portal_enrolment_code (id);
alter table portal_account add column superseded_at timestamptz;
-- Sessions signed in before this instant are over (a new code issued for the patient): compared on every request.
alter table portal_account add column sessions_from timestamptz;
create unique index portal_account_current on portal_account (patient_id) where status <> 'SUPERSEDED';
create unique index portal_account_username_current on portal_account (username) where status <> 'SUPERSEDED';
create index portal_account_by_patient on portal_account (patient_id, created_at);

alter table portal_enrolment_code add column failed_attempts int not null default 0;

-- "Is this access already in an open case?", asked at each flag.
create index portal_case_entry_by_seq on portal_case_entry (patient_id, audit_seq);
