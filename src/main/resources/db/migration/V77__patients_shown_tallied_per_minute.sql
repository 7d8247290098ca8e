-- Issue 21 (ADR 0062): the count of the patients shown to an account in the hour read up to 1,000 of its guard_touch
-- rows at every charge, each a heap visit under row-level security: 414–509 µs a search for a front desk that had
-- been shown a thousand patients that hour, the dearest statement of a search. The patients shown are now tallied per
-- minute, as the unexplained ones are per second, minute and hour (V19): when a charge moves a patient's last_at, the
-- patient leaves its old minute's tally and enters the new one. Up to 200 the rows are still counted (a clinician's
-- hour costs what it did); past 200 the count is the rows of the partial minute where the hour starts plus the minute
-- tallies after it, exact as V19's counts are. Minute tallies are kept two hours; the hour is the only window.

alter table guard_tally add column shown int not null default 0;
comment on column guard_tally.shown is 'Per account and minute (span 60 only): how many of its guard_touch rows were last shown then.';
comment on table guard_tally is 'Per account and second (span 1), minute (60) or hour (3600): how many of its guard_touch rows are unexplained and were last touched then; per minute also how many were last shown then, explained or not.';

insert into guard_tally (staff_id, span, start, unexplained, shown)
select t.staff_id, 60, date_bin('1 minute', t.last_at, timestamptz '2000-01-01 00:00:00+00'), 0, count(*)
  from guard_touch t
 where t.last_at > now() - interval '2 hours'
 group by 1, 3
on conflict (staff_id, span, start) do update set shown = excluded.shown;

-- How many of the account's patients were last shown after p_start (exclusive), p_start within the last two hours:
-- the rows of the partial minute where the window starts, then the tallies of every whole minute after it.
create function guard_shown_since(p_staff bigint, p_start timestamptz) returns bigint
    language plpgsql stable
as $$
declare
    v_whole timestamptz := date_bin('1 minute', p_start, timestamptz '2000-01-01 00:00:00+00') + interval '1 minute';
begin
    return (select count(*) from guard_touch t where t.staff_id = p_staff and t.last_at > p_start and t.last_at < v_whole)
         + (select coalesce(sum(g.shown), 0) from guard_tally g where g.staff_id = p_staff and g.span = 60 and g.start >= v_whole);
end;
$$;

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
        -- each row moved from where it was last shown to now: out of its old second, minute and hour, into the new ones
        moved as (
            select b.last_at as at, case when b.unexplained then -1 else 0 end as unexplained, -1 as shown
              from before b join after a using (patient_id)
            union all
            select a.last_at, case when a.unexplained then 1 else 0 end, 1 from after a),
        spans (span, width, kept) as (values (1, interval '1 second', interval '2 minutes'), (60, interval '1 minute', interval '2 hours'),
                                             (3600, interval '1 hour', interval '31 days'))
        -- the patients shown are tallied per minute only: the one window they are counted in is the hour (V77)
        insert into guard_tally (staff_id, span, start, unexplained, shown)
        select p_staff, s.span, date_bin(s.width, m.at, timestamptz '2000-01-01 00:00:00+00'), sum(m.unexplained),
               coalesce(sum(m.shown) filter (where s.span = 60), 0)
          from moved m join spans s on m.at > p_now - s.kept
         group by 2, 3 having sum(m.unexplained) <> 0 or coalesce(sum(m.shown) filter (where s.span = 60), 0) <> 0
         order by 2, 3
        on conflict (staff_id, span, start) do update set unexplained = guard_tally.unexplained + excluded.unexplained,
                                                          shown = guard_tally.shown + excluded.shown;
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
    -- The volume: distinct patients shown in the hour by any answer, lists included, explained or not. A work list is
    -- read a page at a time; a harvest of the day's lists is not. Up to 200 the rows are counted; past that, the minute
    -- tallies are summed, so the count costs the same at the account's 2,000th patient of the hour as at its 200th.
    select count(*) into v_shown_hour
      from (select 1 from guard_touch t where t.staff_id = p_staff and t.last_at > greatest(p_hour, v_since) limit 200) s;
    if v_shown_hour >= 200 then
        v_shown_hour := guard_shown_since(p_staff, greatest(p_hour, v_since));
    end if;
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
alter function guard_charge(bigint, text, text, timestamptz, bigint[], int[], boolean[], bigint, timestamptz, timestamptz,
                            timestamptz, timestamptz, text, timestamptz) rows 1;
