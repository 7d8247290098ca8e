-- The SQL one chart read issues (GET /api/patients/{id}/chart by a physician of the patient's unit), as captured
-- from the server with log_statement = all (2026-11-29; brought up to date 2026-12-07: the token with its account and
-- the decision as one statement each, ADR 0032, and the guard's charge of migration V20), for pgbench: the database-only
-- cost of the same work.
-- Run as dossier_app with PGOPTIONS="-c dossier.facilities=1" (row-level security applies, as for the server),
-- with -D staff=<the physician's id> -D patients=<rows of bench.patients> (bench/http.sh sets all of this).
-- Differences: the three connections the server uses (request, guard, audit writer) are one here; the audit chain
-- head is moved by one locked update per entry (the server groups concurrent entries into one compare-and-set
-- insert); and the entries go to copies of the audit tables (bench.audit_head, bench.audit_entry, same columns and
-- indexes) so that the real chain stays intact.
\set n random(1, :patients)
-- the API token and the staff member behind it, in one statement (each request; ADR 0032). The server finds the token
-- by its hash; here the physician's latest token stands for it (bench/http.sh has just issued one).
select t.id as token_id, t.staff_id, t.issued_at, t.expires_at, t.source_address, t.user_agent, a.*
  from api_token t cross join lateral staff_account(t.staff_id) a
 where t.id = (select max(id) from api_token where staff_id = :staff) and t.revoked_at is null and t.expires_at > now();
-- the gateway's decision: the patient's facts, the flags and the care relationship in one statement (ADR 0032)
select p.id as pid, p.facility_id as fid, p.status, p.merged_into, p.birth_date,
       r.id is not null as restricted, r.staff_id as restricted_for,
       (select g.id from break_glass_grant g where g.staff_id = :staff and g.patient_id = p.id and g.expires_at > now()
         order by g.expires_at desc limit 1) as grant_id,
       (select c.reason from care_relationship(:staff, '{1}', p.id, now(), now() - interval '1 day', now() + interval '2 days',
                                               now() - interval '1 day') c where p.facility_id = any('{1}') limit 1) as relationship
  from patient_facts((select id from bench.patients where n = :n)) p
  left join patient_restriction r on r.patient_id = p.id and r.lifted_at is null \gset
-- the guard's charge: one statement in autocommit, its commit not waiting for the disk (migrations V19, V20)
select * from guard_charge(:staff, 'pgbench:' || :client_id, '127.0.0.1', now(), array[:pid]::bigint[], array[:fid]::int[],
       array[false], :pid, now() - interval '1 minute', now() - interval '1 hour', now() - interval '1 day', now() - interval '30 days',
       'OPEN', now() - interval '10 minutes');
-- the audit entry, appended to the chain and committed before anything is answered
with old as (select last_seq, last_hash from bench.audit_head where id = 1 for update),
     head as (update bench.audit_head h set last_seq = old.last_seq + 1,
                     last_hash = encode(sha256(convert_to(old.last_hash || :pid || clock_timestamp(), 'UTF8')), 'hex')
                from old where h.id = 1 returning h.last_seq, h.last_hash, old.last_hash as prev)
insert into bench.audit_entry (seq, recorded_at, actor_id, actor_username, actor_roles, facility_id, session_id, source_address, user_agent,
                         action, patient_id, resource_type, resource_id, sections, decision, reason_code, purpose, request_id, detail,
                         prev_hash, hash)
select last_seq, clock_timestamp(), :staff, 'physician', 'PHYSICIAN', :fid, 'pgbench:' || :client_id, '127.0.0.1', 'pgbench',
       'read', :pid, 'Chart', :pid::text, 'IDENTITY,COVERAGE,SCHEDULING,ENCOUNTERS,CLINICAL,PRESCRIPTIONS', 'ALLOW', 'ATTENDING',
       'TREAT', gen_random_uuid()::text, null, prev, last_hash
  from head;
-- the chart's sections
BEGIN READ ONLY;
select id, facility_id, ipp, version, status, merged_into, birth_family_name, used_name, given_names, birth_date, sex, birthplace_code,
       ins_matricule, ins_oid, identity_status, details::text as details, created_at, updated_at from patient where id = :pid;
select s.id, s.facility_id, s.patient_id, s.kind, s.status, s.admitted_at, s.discharged_at, s.attending_id, s.admission_reason,
       s.discharge_destination, s.version from stay s where s.patient_id = :pid and s.status = 'ACTIVE' order by s.admitted_at desc limit 1;
select id, stay_id, unit_id, bed, from_at, to_at from stay_movement
 where stay_id in (select s.id from stay s where s.patient_id = :pid and s.status = 'ACTIVE' order by s.admitted_at desc limit 1)
 order by from_at, id;
select id, facility_id, patient_id, substance, substance_code, reaction, severity, kind, status, recorded_by, version, updated_at
  from allergy where patient_id = :pid and status = 'ACTIVE' order by severity desc, substance limit 200;
select id, facility_id, patient_id, icd10_code, label, onset_date, status, recorded_by, version, updated_at, code_system
  from problem where patient_id = :pid and status = 'ACTIVE' order by onset_date desc nulls last limit 200;
select id, facility_id, patient_id, stay_id, drug, atc_code, cip13, dose, route, frequency, duration_days, start_date, end_date, status,
       prescriber_id, renewed_from, allergy_override_reason, status_reason, version, created_at
  from medication_order where patient_id = :pid and status = 'ACTIVE' order by start_date desc, id desc limit 500;
select distinct on (kind, code) id, facility_id, patient_id, kind, code, label, value, value2, unit, effective_at, status, recorded_by,
       version from observation where patient_id = :pid and status = 'FINAL' order by kind, code, effective_at desc limit 50;
select id, facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status, reason, rescheduled_from, status_reason, version
  from appointment where patient_id = :pid and start_at >= now() and status = 'BOOKED' order by start_at limit 5;
select id, facility_id, patient_id, stay_id, kind, status, title, body, author_id, amends_id, signed_at, signed_by, version, created_at
  from clinical_note where patient_id = :pid and status <> 'ENTERED_IN_ERROR' order by created_at desc, id desc limit 5;
COMMIT;
