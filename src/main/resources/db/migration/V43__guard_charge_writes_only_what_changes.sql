-- Issue 21: the guard's charge costs little when nothing changes. Under load one account re-reads the same patients
-- (a ward's census refreshed, a FHIR client polling): each read used to write a new version of its guard_touch row
-- (last_at and opened_at are indexed, so never a HOT update), take an advisory lock per patient and sweep the
-- account's old tallies. Counting is to the second: a patient touched again within the second it was last touched
-- moves no count, so the row is left alone, and a request made only of such patients takes no lock and writes nothing.
-- The session's first address is read before it is inserted. Behaviour is otherwise that of V20 (ADR 0032).
-- And since a node may remember a bearer token for a few seconds (V44, ADR 0037), the charge reads the state of the
-- token the request came with (the session 'token:<id>'): revoked or expired, it answers TOKEN_ENDED and the request is
-- refused (401), whatever a node still remembers of the token.

create or replace function guard_charge(p_staff bigint, p_session text, p_address text, p_now timestamptz,
                             p_patients bigint[], p_facilities int[], p_unexplained boolean[], p_probe bigint,
                             p_minute timestamptz, p_hour timestamptz, p_day timestamptz, p_month timestamptz,
                             p_kind text, p_ten_minutes timestamptz)
    returns table (status text, canaries bigint[], first_address text,
                   minute bigint, hour bigint, day bigint, month bigint, neighbours bigint,
                   opened_minute bigint, opened_ten_minutes bigint, opened_hour bigint, shown_hour bigint)
    language plpgsql volatile
as $$
#variable_conflict use_column
declare
    v_status text;
    v_canaries bigint[];
    v_first text;
    v_since timestamptz;
    v_neighbours bigint;
    v_minute bigint;
    v_hour bigint;
    v_day bigint;
    v_month bigint;
    v_open_minute bigint;
    v_open_ten bigint;
    v_open_hour bigint;
    v_shown_hour bigint;
    v_opens boolean := p_kind in ('OPEN', 'CHANGE');
    v_fresh boolean;
begin
    perform set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true);
    -- A bearer token's own state too: a node may remember a token for a few seconds (ADR 0037); a revocation or an
    -- expiry it has not heard of yet still stops the patient here, before anything leaves.
    select case when p_session ~ '^token:[0-9]{1,18}$' and not exists (
                    select 1 from api_token t
                     where t.id = substr(p_session, 7)::bigint and t.staff_id = p_staff and t.revoked_at is null and t.expires_at > p_now)
                then 'TOKEN_ENDED' else s.status end
      into v_status from staff s where s.id = p_staff;
    select coalesce(array_agg(c.patient_id), '{}') into v_canaries from guard_canary c where c.patient_id = any(p_patients);
    if v_status is distinct from 'ACTIVE' or cardinality(v_canaries) > 0 then
        return query select v_status, v_canaries, null::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
                            0::bigint, 0::bigint, 0::bigint, 0::bigint;
        return;
    end if;
    if p_session is not null and p_address is not null then
        -- Known sessions are read, not inserted again: the speculative insertion cost more than the lookup.
        select g.first_address into v_first from guard_session g where g.session_id = p_session;
        if v_first is null then
            insert into guard_session (session_id, staff_id, first_address, first_at) values (p_session, p_staff, p_address, p_now)
                on conflict (session_id) do nothing returning first_address into v_first;
            if v_first is null then
                select g.first_address into v_first from guard_session g where g.session_id = p_session;
            end if;
        end if;
    end if;
    -- A patient touched again within the second changes no count (the windows are counted to the second): when every
    -- patient of the request is such, and nothing else about them changes, nothing is written, locked or moved.
    v_fresh := cardinality(p_patients) > 0 and not exists (
        select 1 from unnest(p_patients, p_unexplained) as t (patient, unexplained)
         where not exists (
               select 1 from guard_touch g
                where g.staff_id = p_staff and g.patient_id = t.patient and g.last_at > p_now - interval '1 second'
                  and (g.unexplained or g.created or not t.unexplained or coalesce(g.worked_at > p_now - interval '1 day', false))
                  and (p_kind <> 'CHANGE' or g.worked_at > p_now - interval '1 second')
                  and (not v_opens or g.opened_at > p_now - interval '1 second')));
    if not v_fresh then
        perform pg_advisory_xact_lock(k.key)
           from (select distinct hashtextextended('guard_touch:' || p_staff || ':' || p, 0) as key from unnest(p_patients) p
                  order by 1) k;
        with before as (
            select t.patient_id, t.last_at, t.unexplained from guard_touch t where t.staff_id = p_staff and t.patient_id = any(p_patients)),
        after as (
            insert into guard_touch (staff_id, patient_id, facility_id, first_at, last_at, unexplained, worked_at, opened_at)
            select p_staff, t.patient, min(t.facility), p_now, p_now, bool_or(t.unexplained),
                   case when p_kind = 'CHANGE' then p_now end, case when v_opens then p_now end
              from unnest(p_patients, p_facilities, p_unexplained) as t (patient, facility, unexplained) group by t.patient
            on conflict (staff_id, patient_id) do update
               set last_at = excluded.last_at,
                   -- one's own registrations and the patients one changed in the last day are one's own work
                   unexplained = guard_touch.unexplained
                       or (excluded.unexplained and not guard_touch.created
                           and not coalesce(guard_touch.worked_at > p_now - interval '1 day', false)),
                   worked_at = coalesce(excluded.worked_at, guard_touch.worked_at),
                   opened_at = coalesce(excluded.opened_at, guard_touch.opened_at)
             -- the same second, nothing new: the row is left as it is (no new version, no index entries)
             where guard_touch.last_at <= excluded.last_at - interval '1 second'
                or (excluded.unexplained and not guard_touch.unexplained and not guard_touch.created
                    and not coalesce(guard_touch.worked_at > p_now - interval '1 day', false))
                or (excluded.worked_at is not null and not coalesce(guard_touch.worked_at > p_now - interval '1 second', false))
                or (excluded.opened_at is not null and not coalesce(guard_touch.opened_at > p_now - interval '1 second', false))
            returning patient_id, last_at, unexplained),
        moved as (
            select b.last_at as at, -1 as n from before b join after a using (patient_id) where b.unexplained
            union all
            select a.last_at, 1 from after a where a.unexplained),
        spans (span, width, kept) as (values (1, interval '1 second', interval '2 minutes'), (60, interval '1 minute', interval '2 hours'),
                                             (3600, interval '1 hour', interval '31 days'))
        insert into guard_tally (staff_id, span, start, unexplained)
        select p_staff, s.span, date_bin(s.width, m.at, timestamptz '2000-01-01 00:00:00+00'), sum(m.n)
          from moved m join spans s on m.at > p_now - s.kept
         group by 2, 3 having sum(m.n) <> 0
         order by 2, 3
        on conflict (staff_id, span, start) do update set unexplained = guard_tally.unexplained + excluded.unexplained;
        delete from guard_tally g
         where g.ctid in (select o.ctid from guard_tally o
                           where o.staff_id = p_staff and ((o.span = 1 and o.start < p_now - interval '2 minutes')
                                                        or (o.span = 60 and o.start < p_now - interval '2 hours')
                                                        or (o.span = 3600 and o.start < p_now - interval '31 days'))
                             for update skip locked);
    end if;
    v_since := coalesce((select st.counting_since from guard_state st where st.staff_id = p_staff), '-infinity'::timestamptz);
    v_neighbours := (select case when bool_or(g.created) filter (where g.patient_id = p_probe) then 0
                                 else count(*) filter (where g.last_at > p_minute and not g.created and g.unexplained
                                                             and g.patient_id <> p_probe) end
                       from guard_touch g
                      where g.staff_id = p_staff and g.patient_id between p_probe - 5 and p_probe + 5
                        and g.last_at > greatest(p_month, v_since));
    -- The pace: records opened in the last hour, whatever explained them (bounded: the freeze comes long before 500).
    if v_opens then
        select count(*) filter (where o.opened_at > greatest(p_minute, v_since)),
               count(*) filter (where o.opened_at > greatest(p_ten_minutes, v_since)),
               count(*)
          into v_open_minute, v_open_ten, v_open_hour
          from (select t.opened_at from guard_touch t
                 where t.staff_id = p_staff and t.opened_at > greatest(p_hour, v_since) limit 500) o;
    else
        v_open_minute := 0; v_open_ten := 0; v_open_hour := 0;
    end if;
    -- The volume: distinct patients shown in the hour by any answer, lists included, explained or not (bounded: the
    -- freeze comes long before 1,000). A work list is read a page at a time; a harvest of the day's lists is not.
    select count(*) into v_shown_hour
      from (select 1 from guard_touch t where t.staff_id = p_staff and t.last_at > greatest(p_hour, v_since) limit 1000) s;
    select count(*) filter (where few.last_at > greatest(p_minute, v_since)),
           count(*) filter (where few.last_at > greatest(p_hour, v_since)),
           count(*) filter (where few.last_at > greatest(p_day, v_since)),
           count(*)
      into v_minute, v_hour, v_day, v_month
      from (select t.last_at from guard_touch t
             where t.staff_id = p_staff and t.unexplained and t.last_at > greatest(p_month, v_since) limit 200) few;
    if v_month < 200 then
        return query select v_status, v_canaries, v_first, v_minute, v_hour, v_day, v_month, v_neighbours,
                            v_open_minute, v_open_ten, v_open_hour, v_shown_hour;
        return;
    end if;
    return query
    select v_status, v_canaries, v_first,
           guard_unexplained_since(p_staff, greatest(p_minute, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_hour, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_day, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_month, v_since), p_now),
           v_neighbours, v_open_minute, v_open_ten, v_open_hour, v_shown_hour;
end;
$$;
