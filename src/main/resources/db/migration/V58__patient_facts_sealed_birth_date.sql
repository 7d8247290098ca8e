-- The gateway's facts of a patient carry the birth date sealed as the record holds it (V57), opened by the server only
-- where a rule needs it (a problem's onset cannot precede birth); a row not yet sealed still answers it in clear.
drop function patient_facts(bigint);
create function patient_facts(patient_id bigint)
    returns table (id bigint, facility_id int, status text, merged_into bigint, birth_date date, sealed_birth_date bytea)
    language sql stable security definer set search_path = public
as $$
    select p.id, p.facility_id, p.status, p.merged_into, p.birth_date, p.sealed_birth_date from patient p where p.id = patient_id
$$;
revoke all on function patient_facts(bigint) from public;
grant execute on function patient_facts(bigint) to dossier_app;
