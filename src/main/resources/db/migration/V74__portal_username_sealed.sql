-- Encryption at rest (issue 22, ADR 0058): the username a patient chooses at enrolment (often "jean.dupont") sat in clear
-- beside the patient id, so a stolen dump named the patient. It is now written sealed with the patient's own key, bound to
-- its cell (so that shredding the patient erases it), and found at sign-in by a blind-index token (keyed HMAC under the
-- facility's INDEX key) of the name as the sign-in compares it (trimmed, lower-case). The sign-in does not know the
-- facility: it computes the token under each facility's key and looks for any of them. A username is unique among the
-- accounts that are not superseded, as V53 made it, now on its token; the enrolment checks the tokens of every facility,
-- so that a name is not taken twice across facilities either.
-- Rows written before keep their clear username until the server seals them at its next start (portal.PortalUsernameSealing);
-- a row holds its username one way or the other, never both.
alter table portal_account add column sealed_username bytea;
alter table portal_account add column username_token bytea;
alter table portal_account alter column username drop not null;
alter table portal_account add constraint portal_account_username_once check (username is null or sealed_username is null);
create unique index portal_account_username_token_current on portal_account (username_token) where status <> 'SUPERSEDED';
