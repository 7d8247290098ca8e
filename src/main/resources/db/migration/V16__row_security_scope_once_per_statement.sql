-- The facility wall, cheaper: the request's scope is parsed once per statement (an uncorrelated sub-select
-- becomes an init-plan) instead of once per row as the function facility_in_scope did, and rows are then
-- compared as integers, which also lets the planner use facility indexes. Malformed scope values are ignored
-- (they can only shrink what is visible). Every 'facility_wall' policy is replaced.
create function facility_scope() returns int[]
    language sql stable parallel safe
as $$
    select coalesce(array_agg(part::int), '{}')
      from unnest(string_to_array(coalesce(current_setting('dossier.facilities', true), ''), ',')) as part
     where part ~ '^[0-9]{1,9}$'
$$;

do $$
declare
    t text;
begin
    for t in select tablename from pg_policies where schemaname = 'public' and policyname = 'facility_wall'
    loop
        execute format('drop policy facility_wall on %I', t);
        execute format($p$create policy facility_wall on %I to dossier_app
                           using ((select coalesce(current_setting('dossier.facilities', true), '') = '*')
                                  or facility_id = any (cast((select facility_scope()) as int[])))
                           with check ((select coalesce(current_setting('dossier.facilities', true), '') = '*')
                                  or facility_id = any (cast((select facility_scope()) as int[])))$p$, t);
    end loop;
end $$;
