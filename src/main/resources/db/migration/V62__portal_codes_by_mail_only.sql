-- Issue 23: once codes can be sent to the patient's e-mail (ADR 0049), a facility may forbid handing them over at the
-- desk, so that no one at the desk ever holds a code for a patient of that facility. Default: allowed, as before.
alter table portal_setting add column desk_codes boolean not null default true;
