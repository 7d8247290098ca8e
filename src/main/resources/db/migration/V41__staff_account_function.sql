-- A staff account as the organization module publishes it to another module's statement (issue 21): the identity
-- module reads a bearer token and its account in one round trip instead of two. Same columns as StaffRepository's
-- select; a plain SQL function, inlined by the planner.
create function staff_account(p_staff bigint)
    returns table (id bigint, username text, display_name text, rpps text, status text, version int,
                   created_at timestamptz, updated_at timestamptz, roles text[], facilities int[], units int[])
    language sql stable
as $$
    select s.id, s.username, s.display_name, s.rpps::text, s.status, s.version, s.created_at, s.updated_at,
           array(select role from staff_role r where r.staff_id = s.id),
           array(select facility_id from staff_facility f where f.staff_id = s.id),
           array(select unit_id from staff_unit u where u.staff_id = s.id)
      from staff s
     where s.id = p_staff
$$;
grant execute on function staff_account(bigint) to dossier_app;
