-- Issue 21: the guard's charge in one SQL statement when it has nothing to write (ADR 0038).
-- V43 made a charge of patients touched again within the second write nothing; it still ran about eleven statements of
-- PL/pgSQL to find that out and to read the counts (pg_stat_statements: ~175 µs of statements in ~452 µs per call).
-- guard_charge is now one SQL query. It reads the account's status and the token's state, the canaries, the session's
-- first address, whether every patient is already counted this second, and (when so) the windows' counts — all of them
-- the same rows, read the same way, as V43. Only when something must be written (a first touch this second, a new
-- session, an access becoming unexplained, a change, a first opening) or the month holds 200 unexplained patients or
-- more (the tallies' path) does it call guard_charge_written, V43's PL/pgSQL less what the query already read. Since the
-- query writes nothing, what it counts is what V43 would have counted: V43's fast path wrote nothing either.

-- What V43 did after its freshness check, for a request the query could not decide. The caller (guard_charge, in the
-- same statement) has read the status, the token and the canaries, the session's first address when the session is
-- known (p_first), and whether every patient was already counted this second (p_fresh): none of them is read again.
-- Each statement here takes a new snapshot (a volatile function), so the counts are read after the touches are written.
create function guard_charge_written(p_staff bigint, p_session text, p_address text, p_now timestamptz,
                                     p_patients bigint[], p_facilities int[], p_unexplained boolean[], p_probe bigint,
                                     p_minute timestamptz, p_hour timestamptz, p_day timestamptz, p_month timestamptz,
                                     p_kind text, p_ten_minutes timestamptz, p_status text, p_first text, p_fresh boolean)
    returns table (status text, canaries bigint[], first_address text,
                   minute bigint, hour bigint, day bigint, month bigint, neighbours bigint,
                   opened_minute bigint, opened_ten_minutes bigint, opened_hour bigint, shown_hour bigint)
    language plpgsql volatile
as $$
#variable_conflict use_column
declare
    v_first text := p_first;
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
begin
    perform set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true);
    if v_first is null and p_session is not null and p_address is not null then
        insert into guard_session (session_id, staff_id, first_address, first_at) values (p_session, p_staff, p_address, p_now)
            on conflict (session_id) do nothing returning first_address into v_first;
        if v_first is null then
            select g.first_address into v_first from guard_session g where g.session_id = p_session;
        end if;
    end if;
    if not p_fresh then
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
                   unexplained = guard_touch.unexplained
                       or (excluded.unexplained and not guard_touch.created
                           and not coalesce(guard_touch.worked_at > p_now - interval '1 day', false)),
                   worked_at = coalesce(excluded.worked_at, guard_touch.worked_at),
                   opened_at = coalesce(excluded.opened_at, guard_touch.opened_at)
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
        return query select p_status, '{}'::bigint[], v_first, v_minute, v_hour, v_day, v_month, v_neighbours,
                            v_open_minute, v_open_ten, v_open_hour, v_shown_hour;
        return;
    end if;
    return query
    select p_status, '{}'::bigint[], v_first,
           guard_unexplained_since(p_staff, greatest(p_minute, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_hour, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_day, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_month, v_since), p_now),
           v_neighbours, v_open_minute, v_open_ten, v_open_hour, v_shown_hour;
end;
$$;
comment on function guard_charge_written is 'The part of guard_charge that writes (V45): called by guard_charge alone, which has read the status, token, canaries and session.';
revoke execute on function guard_charge_written from public;
grant execute on function guard_charge_written to dossier_app;

-- The charge, one query. Same signature and result as V43; each CTE is read only when the one before it allows:
-- an account not active (or a token ended) or a canary answers at once with nothing counted, as in V43.
create or replace function guard_charge(p_staff bigint, p_session text, p_address text, p_now timestamptz,
                             p_patients bigint[], p_facilities int[], p_unexplained boolean[], p_probe bigint,
                             p_minute timestamptz, p_hour timestamptz, p_day timestamptz, p_month timestamptz,
                             p_kind text, p_ten_minutes timestamptz)
    returns table (status text, canaries bigint[], first_address text,
                   minute bigint, hour bigint, day bigint, month bigint, neighbours bigint,
                   opened_minute bigint, opened_ten_minutes bigint, opened_hour bigint, shown_hour bigint)
    language sql volatile
as $$
with head as materialized (
    -- the account's status now, and the bearer token's own state (V43): a node may remember a token a few seconds
    select (select case when p_session ~ '^token:[0-9]{1,18}$' and not exists (
                            select 1 from api_token t
                             where t.id = substr(p_session, 7)::bigint and t.staff_id = p_staff and t.revoked_at is null
                               and t.expires_at > p_now)
                        then 'TOKEN_ENDED' else s.status end
              from staff s where s.id = p_staff) as status,
           (select coalesce(array_agg(c.patient_id), '{}') from guard_canary c where c.patient_id = any(p_patients)) as canaries),
open as materialized (
    -- an active account, no canary: the session's first address (if it is known) and whether every patient is
    -- already counted this second with nothing about it changing (V43's freshness rule, word for word)
    select p_session is not null and p_address is not null as watched,
           case when p_session is not null and p_address is not null
                then (select g.first_address from guard_session g where g.session_id = p_session) end as first,
           cardinality(p_patients) > 0 and not exists (
               select 1 from unnest(p_patients, p_unexplained) as t (patient, unexplained)
                where not exists (
                      select 1 from guard_touch g
                       where g.staff_id = p_staff and g.patient_id = t.patient and g.last_at > p_now - interval '1 second'
                         and (g.unexplained or g.created or not t.unexplained or coalesce(g.worked_at > p_now - interval '1 day', false))
                         and (p_kind <> 'CHANGE' or g.worked_at > p_now - interval '1 second')
                         and (p_kind not in ('OPEN', 'CHANGE') or g.opened_at > p_now - interval '1 second'))) as fresh
      from head h where h.status = 'ACTIVE' and cardinality(h.canaries) = 0),
quiet as materialized (
    -- nothing to write: the counts are read as they stand
    select o.first, coalesce((select st.counting_since from guard_state st where st.staff_id = p_staff), '-infinity'::timestamptz) as since
      from open o where o.fresh and (o.first is not null or not o.watched)),
counted as materialized (
    select q.first, n.neighbours, op.opened_minute, op.opened_ten_minutes, op.opened_hour, sh.shown_hour,
           few.minute, few.hour, few.day, few.month
      from quiet q
     cross join lateral (
           select case when bool_or(g.created) filter (where g.patient_id = p_probe) then 0
                       else count(*) filter (where g.last_at > p_minute and not g.created and g.unexplained
                                                   and g.patient_id <> p_probe) end as neighbours
             from guard_touch g
            where g.staff_id = p_staff and g.patient_id between p_probe - 5 and p_probe + 5
              and g.last_at > greatest(p_month, q.since)) n
     cross join lateral (
           -- the pace, for records opened or changed only (bounded: the freeze comes long before 500)
           select count(*) filter (where o.opened_at > greatest(p_minute, q.since)) as opened_minute,
                  count(*) filter (where o.opened_at > greatest(p_ten_minutes, q.since)) as opened_ten_minutes,
                  count(*) as opened_hour
             from (select t.opened_at from guard_touch t
                    where p_kind in ('OPEN', 'CHANGE') and t.staff_id = p_staff and t.opened_at > greatest(p_hour, q.since)
                    limit 500) o) op
     cross join lateral (
           -- the volume: distinct patients shown in the hour (bounded: the freeze comes long before 1,000)
           select count(*) as shown_hour
             from (select 1 from guard_touch t where t.staff_id = p_staff and t.last_at > greatest(p_hour, q.since) limit 1000) s) sh
     cross join lateral (
           select count(*) filter (where f.last_at > greatest(p_minute, q.since)) as minute,
                  count(*) filter (where f.last_at > greatest(p_hour, q.since)) as hour,
                  count(*) filter (where f.last_at > greatest(p_day, q.since)) as day,
                  count(*) as month
             from (select t.last_at from guard_touch t
                    where t.staff_id = p_staff and t.unexplained and t.last_at > greatest(p_month, q.since) limit 200) f) few)
select h.status, h.canaries, null::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
       0::bigint, 0::bigint, 0::bigint, 0::bigint
  from head h where h.status is distinct from 'ACTIVE' or cardinality(h.canaries) > 0
union all
select h.status, h.canaries, c.first, c.minute, c.hour, c.day, c.month, c.neighbours,
       c.opened_minute, c.opened_ten_minutes, c.opened_hour, c.shown_hour
  from head h, counted c where c.month < 200
union all
-- something to write, or 200 unexplained patients in the month or more (the tallies count them): V43's PL/pgSQL
select w.*
  from open o, lateral guard_charge_written(p_staff, p_session, p_address, p_now, p_patients, p_facilities, p_unexplained,
                                            p_probe, p_minute, p_hour, p_day, p_month, p_kind, p_ten_minutes,
                                            'ACTIVE', o.first, o.fresh) w
 where not exists (select 1 from counted c where c.month < 200)
$$;
