-- Issue 9, measured with pg_stat_statements under 32 concurrent chart reads at a million patients (BENCHMARKS.md).

-- 1. The chart's "recent notes" ordered by (created_at desc, id desc) but the index stopped at created_at: a patient
--    with thousands of notes written in the same instant (an import, a long stay) was sorted in full on every read
--    (2 ms, 41 ms cold, for 8,700 notes). With the tie-breaker in the index the read stops after five entries.
create index if not exists clinical_note_recent_by_patient on clinical_note (patient_id, created_at desc, id desc);
drop index if exists clinical_note_by_patient;

-- 2. The relationship lookup ran its six branches every time and kept the strongest; the branches are tried in
--    order of strength now and the first one found answers (the attending physician: one index lookup, not six).
--    Same result, same signature.
create or replace function care_relationship(p_staff bigint, p_units int[], p_patient bigint, p_at timestamptz,
                                             p_appointment_from timestamptz, p_appointment_to timestamptz,
                                             p_discharged_since timestamptz)
    returns table (reason text, source_type text, source_id bigint)
    language plpgsql stable
    set plan_cache_mode = force_generic_plan
as $$
begin
    return query select 'ATTENDING'::text, 'stay'::text, s.id
      from stay s where s.patient_id = p_patient and s.attending_id = p_staff and s.status = 'ACTIVE'
       and s.admitted_at <= p_at limit 1;
    if found then return; end if;
    return query select 'CURRENT_STAY_IN_UNIT'::text, 'stay'::text, m.stay_id
      from stay_movement m join stay s on s.id = m.stay_id and s.status = 'ACTIVE'
     where m.patient_id = p_patient and m.unit_id = any(p_units) and m.from_at <= p_at and (m.to_at is null or m.to_at > p_at)
     limit 1;
    if found then return; end if;
    return query select 'CARE_TEAM'::text, 'care_team_member'::text, c.id
      from care_team_member c where c.patient_id = p_patient and c.staff_id = p_staff and c.status = 'ACTIVE'
       and c.period_start <= p_at and (c.period_end is null or c.period_end > p_at) limit 1;
    if found then return; end if;
    return query select 'APPOINTMENT'::text, 'appointment'::text, a.id
      from appointment a where a.patient_id = p_patient and a.practitioner_id = p_staff
       and a.status in ('BOOKED', 'COMPLETED') and a.start_at between p_appointment_from and p_appointment_to limit 1;
    if found then return; end if;
    return query select 'REFERRAL'::text, 'referral'::text, r.id
      from referral r where r.patient_id = p_patient and r.status = 'ACTIVE'
       and (r.to_staff_id = p_staff or r.to_unit_id = any(p_units)) and r.period_start <= p_at and r.period_end > p_at limit 1;
    if found then return; end if;
    return query select 'RECENT_DISCHARGE'::text, 'stay'::text, s.id
      from stay s where s.patient_id = p_patient and s.status = 'DISCHARGED'
       and s.discharged_at between p_discharged_since and p_at
       and (s.attending_id = p_staff or exists (select 1 from stay_movement m where m.stay_id = s.id and m.unit_id = any(p_units)))
     limit 1;
end;
$$;

-- 3. The guard's charge of one request took five round trips in a transaction of its own (status and canaries, the
--    session's first address, the touches, the counts, the commit). One call now, run as a statement of its own
--    (autocommit): its commit does not wait for the disk (ADR 0015, as before) and its statements are planned once
--    per session. The decision stays in Java (Guard); this gathers what it decides on, in the same order as before:
--    nothing is counted for an account that is no longer active or a request that touches a canary.
--
--    The windows' counts were one scan of every patient the account was shown in 30 days: 19 ms per request for a
--    front desk that had seen 16,500 patients, and growing with each one. guard_tally now keeps, per account and
--    second, minute and hour, how many of its patients were last shown unexplained then (a patient shown again moves
--    from its old second, minute and hour to the current ones). A window's count is then exact and bounded: the rows
--    of the partial second (window starting in the last two minutes), minute (last two hours) or hour where the window
--    starts — an unfreeze can start a day's window a minute ago — plus the tallies of the whole seconds, minutes and
--    hours after it. Second tallies are kept two minutes, minute tallies two hours, hour tallies 31 days. Two charges
--    of one account that show the same patient are serialized (a transaction-scoped advisory lock per account and
--    patient), so each moves the patient from where the other left it and the tallies stay exact.
create table guard_tally (
    staff_id    bigint      not null references staff (id),
    span        int         not null check (span in (1, 60, 3600)),
    start       timestamptz not null,
    unexplained int         not null,
    primary key (staff_id, span, start)
);
comment on table guard_tally is 'Per account and second (span 1), minute (60) or hour (3600): how many of its guard_touch rows are unexplained and were last touched then.';
grant select, insert, update, delete on guard_tally to dossier_app;
insert into guard_tally (staff_id, span, start, unexplained)
select t.staff_id, s.span, date_bin(s.width, t.last_at, timestamptz '2000-01-01 00:00:00+00'), count(*)
  from guard_touch t
  join (values (1, interval '1 second', interval '2 minutes'), (60, interval '1 minute', interval '2 hours'),
               (3600, interval '1 hour', interval '31 days')) as s (span, width, kept) on t.last_at > now() - s.kept
 where t.unexplained
 group by 1, 2, 3;
-- Only unexplained rows are ever counted by time: the index holds those alone.
create index guard_touch_unexplained on guard_touch (staff_id, last_at) where unexplained;
drop index guard_touch_recent;

-- How many of the account's patients were last shown unexplained after p_start (exclusive): rows for the partial
-- second, minute or hour where the window starts (the finest span whose tallies are still kept that far back), then
-- tallies for every whole span after it.
create function guard_unexplained_since(p_staff bigint, p_start timestamptz, p_now timestamptz) returns bigint
    language plpgsql stable
as $$
declare
    v_finest int := case when p_start > p_now - interval '2 minutes' then 1
                         when p_start > p_now - interval '2 hours' then 60 else 3600 end;
begin
    -- PL/pgSQL, not SQL: its plan is kept for the session (an SQL function with these sub-selects was planned anew
    -- at every call, 3 ms under load).
    return (
    with hours as (
        select date_bin('1 hour', p_start, timestamptz '2000-01-01 00:00:00+00') + interval '1 hour' as whole_from),
    minutes as (
        select case when v_finest <= 60 then date_bin('1 minute', p_start, timestamptz '2000-01-01 00:00:00+00') + interval '1 minute'
                    else h.whole_from end as whole_from from hours h),
    seconds as (
        select case when v_finest = 1 then date_bin('1 second', p_start, timestamptz '2000-01-01 00:00:00+00') + interval '1 second'
                    else m.whole_from end as whole_from from minutes m)
    select (select count(*) from guard_touch t
             where t.staff_id = p_staff and t.unexplained and t.last_at > p_start and t.last_at < s.whole_from)
         + (select coalesce(sum(g.unexplained), 0) from guard_tally g
             where g.staff_id = p_staff and g.span = 1 and g.start >= s.whole_from and g.start < m.whole_from)
         + (select coalesce(sum(g.unexplained), 0) from guard_tally g
             where g.staff_id = p_staff and g.span = 60 and g.start >= m.whole_from and g.start < h.whole_from)
         + (select coalesce(sum(g.unexplained), 0) from guard_tally g
             where g.staff_id = p_staff and g.span = 3600 and g.start >= h.whole_from)
      from hours h, minutes m, seconds s);
end;
$$;

create function guard_charge(p_staff bigint, p_session text, p_address text, p_now timestamptz,
                             p_patients bigint[], p_facilities int[], p_unexplained boolean[], p_probe bigint,
                             p_minute timestamptz, p_hour timestamptz, p_day timestamptz, p_month timestamptz)
    returns table (status text, canaries bigint[], first_address text,
                   minute bigint, hour bigint, day bigint, month bigint, neighbours bigint)
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
begin
    perform set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true);
    select s.status into v_status from staff s where s.id = p_staff;
    select coalesce(array_agg(c.patient_id), '{}') into v_canaries from guard_canary c where c.patient_id = any(p_patients);
    if v_status is distinct from 'ACTIVE' or cardinality(v_canaries) > 0 then
        return query select v_status, v_canaries, null::text, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint;
        return;
    end if;
    if p_session is not null and p_address is not null then
        -- Written once per session, read afterwards. Two first requests of a session at once: the loser's insert
        -- does nothing, and its next statement (a new snapshot) reads the winner's row.
        insert into guard_session (session_id, staff_id, first_address, first_at) values (p_session, p_staff, p_address, p_now)
            on conflict (session_id) do nothing returning first_address into v_first;
        if v_first is null then
            select g.first_address into v_first from guard_session g where g.session_id = p_session;
        end if;
    end if;
    -- Two charges of the account that show the same patient, one at a time until this transaction commits (a
    -- double click), so that each reads the row as the other left it; locks taken in one order, never deadlocked.
    perform pg_advisory_xact_lock(k.key)
       from (select distinct hashtextextended('guard_touch:' || p_staff || ':' || p, 0) as key from unnest(p_patients) p
              order by 1) k;
    with before as (
        select t.last_at, t.unexplained from guard_touch t where t.staff_id = p_staff and t.patient_id = any(p_patients)),
    after as (
        insert into guard_touch (staff_id, patient_id, facility_id, first_at, last_at, unexplained)
        -- a patient twice in one request (two appointments in one agenda) is one touch
        select p_staff, t.patient, min(t.facility), p_now, p_now, bool_or(t.unexplained)
          from unnest(p_patients, p_facilities, p_unexplained) as t (patient, facility, unexplained) group by t.patient
        on conflict (staff_id, patient_id) do update
           set last_at = excluded.last_at, unexplained = guard_touch.unexplained or excluded.unexplained
        returning last_at, unexplained),
    moved as (
        select b.last_at as at, -1 as n from before b where b.unexplained
        union all
        select a.last_at, 1 from after a where a.unexplained),
    spans (span, width, kept) as (values (1, interval '1 second', interval '2 minutes'), (60, interval '1 minute', interval '2 hours'),
                                         (3600, interval '1 hour', interval '31 days'))
    insert into guard_tally (staff_id, span, start, unexplained)
    select p_staff, s.span, date_bin(s.width, m.at, timestamptz '2000-01-01 00:00:00+00'), sum(m.n)
      from moved m join spans s on m.at > p_now - s.kept
     group by 2, 3 having sum(m.n) <> 0
     order by 2, 3 -- every charge locks the tallies it moves in one order: concurrent charges never deadlock
    on conflict (staff_id, span, start) do update set unexplained = guard_tally.unexplained + excluded.unexplained;
    -- Tallies past their keeping; one that another charge holds is left for a later one (never waited for: no deadlock).
    delete from guard_tally g
     where g.ctid in (select o.ctid from guard_tally o
                       where o.staff_id = p_staff and ((o.span = 1 and o.start < p_now - interval '2 minutes')
                                                    or (o.span = 60 and o.start < p_now - interval '2 hours')
                                                    or (o.span = 3600 and o.start < p_now - interval '31 days'))
                         for update skip locked);
    v_since := coalesce((select st.counting_since from guard_state st where st.staff_id = p_staff), '-infinity'::timestamptz);
    v_neighbours := (select case when bool_or(g.created) filter (where g.patient_id = p_probe) then 0
                                 else count(*) filter (where g.last_at > p_minute and not g.created and g.patient_id <> p_probe) end
                       from guard_touch g
                      where g.staff_id = p_staff and g.patient_id between p_probe - 5 and p_probe + 5
                        and g.last_at > greatest(p_month, v_since));
    -- Most accounts have few unexplained patients in the month (a clinician's budget is 25): their rows are counted
    -- at once, in the same scan that finds them few (at most 200 rows read).
    select count(*) filter (where few.last_at > greatest(p_minute, v_since)),
           count(*) filter (where few.last_at > greatest(p_hour, v_since)),
           count(*) filter (where few.last_at > greatest(p_day, v_since)),
           count(*)
      into v_minute, v_hour, v_day, v_month
      from (select t.last_at from guard_touch t
             where t.staff_id = p_staff and t.unexplained and t.last_at > greatest(p_month, v_since) limit 200) few;
    if v_month < 200 then
        return query select v_status, v_canaries, v_first, v_minute, v_hour, v_day, v_month, v_neighbours;
        return;
    end if;
    return query
    select v_status, v_canaries, v_first,
           guard_unexplained_since(p_staff, greatest(p_minute, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_hour, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_day, v_since), p_now),
           guard_unexplained_since(p_staff, greatest(p_month, v_since), p_now),
           v_neighbours;
end;
$$;
grant execute on function guard_charge(bigint, text, text, timestamptz, bigint[], int[], boolean[], bigint,
                                       timestamptz, timestamptz, timestamptz, timestamptz) to dossier_app;

-- 4. The facility wall's scope was parsed by an aggregate over the setting's parts (17 µs, 14 times per chart read):
--    one expression now, which the planner inlines into each statement's init-plan. A scope that is not a plain list
--    of facility ids sees nothing at all (before, only its malformed parts were dropped): stricter, never wider.
create or replace function facility_scope() returns int[]
    language sql stable parallel safe
as $$
    select case when coalesce(current_setting('dossier.facilities', true), '') ~ '^[0-9]{1,9}(,[0-9]{1,9})*$'
                then cast(string_to_array(current_setting('dossier.facilities', true), ',') as int[])
                else cast('{}' as int[]) end
$$;
