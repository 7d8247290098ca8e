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

-- The blind-index lookup (ADR 0046). Under row-level security PostgreSQL keeps a non-leakproof operator such as the
-- array containment @> from running before the policy, so the server's role could not use the GIN index of the tokens
-- and read a facility's every row. This function runs as the owner, past the wall, and answers ids only, of the one
-- facility asked (the caller asks only its permit's); the rows themselves are then read under the policy by id.
create function patient_ids_by_tokens(facility int, active_only boolean, all_tokens bytea[], any_tokens bytea[], cap int)
    returns setof bigint
    language plpgsql stable security definer set search_path = public
as $$
begin
    if cardinality(all_tokens) > 0 then
        return query select p.id from patient p
                      where p.facility_id = facility and (not active_only or p.status = 'ACTIVE')
                        and p.search_tokens @> all_tokens
                        and (cardinality(any_tokens) = 0 or p.search_tokens && any_tokens)
                      limit cap;
    elsif cardinality(any_tokens) > 0 then
        return query select p.id from patient p
                      where p.facility_id = facility and (not active_only or p.status = 'ACTIVE')
                        and p.search_tokens && any_tokens
                      limit cap;
    end if;
end
$$;
revoke all on function patient_ids_by_tokens(int, boolean, bytea[], bytea[], int) from public;
grant execute on function patient_ids_by_tokens(int, boolean, bytea[], bytea[], int) to dossier_app;
