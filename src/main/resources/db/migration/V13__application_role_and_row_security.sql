-- The application runs as dossier_app: neither superuser nor owner. It may read and write the tables, may only
-- insert into and read the audit trail, and sees patient rows only of the facilities its request is scoped to
-- (session setting dossier.facilities, set per connection by the application; '*' for the server's own jobs).
-- The embedded server creates dossier_app as a login role before migrating; elsewhere it is created here.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'dossier_app') then
        create role dossier_app nologin;
    end if;
    -- lets the owner's login SET ROLE dossier_app when no separate login is configured
    begin
        execute format('grant dossier_app to %I', current_user);
    exception when others then
        raise notice 'could not grant dossier_app to %: %', current_user, sqlerrm;
    end;
end $$;

grant usage on schema public to dossier_app;
grant select, insert, update, delete on all tables in schema public to dossier_app;
grant usage, select, update on all sequences in schema public to dossier_app;
alter default privileges in schema public grant select, insert, update, delete on tables to dossier_app;
alter default privileges in schema public grant usage, select, update on sequences to dossier_app;

-- The trail: insert and read only (the chain head is updated by each append).
revoke update, delete on audit_entry, audit_checkpoint from dossier_app;
revoke all on flyway_schema_history from dossier_app;

-- True when the row's facility is in the request's scope. Inlined by the planner (plain SQL, stable).
create function facility_in_scope(facility int) returns boolean
    language sql stable parallel safe
as $$
    -- compared as text, so that no scope value can make a query fail with a cast error
    select coalesce(current_setting('dossier.facilities', true), '') = '*'
        or facility::text = any (string_to_array(current_setting('dossier.facilities', true), ','))
$$;

-- Every table holding patient data (a facility_id and a patient_id, or the patient table itself) gets the wall.
do $$
declare
    t text;
begin
    for t in
        select c.table_name
          from information_schema.columns c
         where c.table_schema = 'public' and c.column_name = 'facility_id'
           and c.table_name not like 'audit%'
           and (c.table_name = 'patient'
                or exists (select 1 from information_schema.columns p
                            where p.table_schema = 'public' and p.table_name = c.table_name and p.column_name = 'patient_id'))
           and exists (select 1 from information_schema.tables x
                        where x.table_schema = 'public' and x.table_name = c.table_name and x.table_type = 'BASE TABLE')
    loop
        execute format('alter table %I enable row level security', t);
        execute format('create policy facility_wall on %I to dossier_app using (facility_in_scope(facility_id)) '
                       'with check (facility_in_scope(facility_id))', t);
    end loop;
end $$;

-- What the gateway must know to decide about any patient id, including another facility's (to answer 404 and
-- audit why): facility and status, nothing of the record. Runs as the owner, past the wall, on purpose.
create function patient_facts(patient_id bigint)
    returns table (id bigint, facility_id int, status text, merged_into bigint, birth_date date)
    language sql stable security definer set search_path = public
as $$
    select p.id, p.facility_id, p.status, p.merged_into, p.birth_date from patient p where p.id = patient_id
$$;
revoke all on function patient_facts(bigint) from public;
grant execute on function patient_facts(bigint) to dossier_app;
