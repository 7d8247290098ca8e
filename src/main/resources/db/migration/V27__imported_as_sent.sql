-- Imports keep what they are given (ADR 0023). A medication order from another system keeps its own status (on hold,
-- cancelled, draft, unknown are statuses of FHIR orders that Dossier's prescribing did not have) and the time it was
-- authored; allergies, problems, observations and orders keep what the source said beyond our columns in `source`
-- (codings, categories, statuses, dates as sent, the person named, a value before unit conversion). json, not jsonb,
-- as for the version snapshots (ADR 0007): it is kept and served back, never queried.
alter table medication_order drop constraint medication_order_status_check;
alter table medication_order add constraint medication_order_status_check
    check (status in ('ACTIVE', 'ON_HOLD', 'DRAFT', 'STOPPED', 'COMPLETED', 'CANCELLED', 'ENTERED_IN_ERROR', 'UNKNOWN'));
alter table medication_order add column authored_at timestamptz;
alter table medication_order add column source json;

alter table allergy add column source json;
alter table problem add column source json;
alter table observation add column source json;
