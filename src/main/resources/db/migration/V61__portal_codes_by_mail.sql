-- Issue 23: an enrolment code may be sent to the e-mail on a qualified record instead of being handed over at the desk
-- (ADR 0049). How it went is kept with it: a later enrolment's trail and case say whether anyone at the desk saw the code.
alter table portal_enrolment_code add column delivery text not null default 'DESK' check (delivery in ('DESK', 'MAIL'));
