-- Issue 21: a patient search reads the GIN index of the blind-index tokens (V57, ADR 0046). With GIN's default
-- fastupdate, each registration or identity change adds its tokens (nine a patient) to the index's pending list, an
-- unordered list that every search then reads whole until autovacuum or the list's 4 MB limit merges it: after a day of
-- registrations (or an import of patients) a search by name and birth date read ~150 pages of it and took 1.2-1.4 ms of
-- PostgreSQL instead of 13 pages and 0.2 ms. Searches are far more frequent than registrations, so the tokens go
-- straight into the index (a registration writes a few index pages more), and what is pending now is merged once.
alter index patient_by_search_token set (fastupdate = off);
select gin_clean_pending_list('patient_by_search_token'::regclass);
