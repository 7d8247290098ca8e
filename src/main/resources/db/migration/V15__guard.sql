-- guard: what each account has been shown lately, canary patients, sessions' addresses, and alerts.

-- One row per (account, patient) it was shown: enough to count distinct patients per sliding window.
create table guard_touch (
    staff_id    bigint not null references staff (id),
    patient_id  bigint not null,
    facility_id int    not null,
    first_at    timestamptz not null,
    last_at     timestamptz not null,
    unexplained boolean not null,
    -- registered by this account: reading back one's own registrations is not walking identifiers
    created     boolean not null default false,
    primary key (staff_id, patient_id)
);
create index guard_touch_recent on guard_touch (staff_id, last_at);

-- Per account: when its counting restarted (an unfreeze starts afresh).
create table guard_state (
    staff_id       bigint primary key references staff (id),
    counting_since timestamptz not null
);

-- Searches per account and minute, results or not: a sweep shows in the number of queries before any result.
create table guard_query (
    staff_id bigint      not null references staff (id),
    minute   timestamptz not null,
    searches int         not null,
    primary key (staff_id, minute)
);

-- The address each session or token was first used from.
create table guard_session (
    session_id    text primary key,
    staff_id      bigint not null references staff (id),
    first_address text,
    first_at      timestamptz not null
);

-- Fake, realistic records that no workflow leads to: touching one freezes the account at once.
create table guard_canary (
    patient_id  bigint primary key references patient (id),
    facility_id int    not null references facility (id),
    created_at  timestamptz not null
);

create table guard_alert (
    id              bigint generated always as identity primary key,
    staff_id        bigint not null references staff (id),
    username        text not null,
    raised_at       timestamptz not null,
    signal          text not null,
    response        text not null check (response in ('STEP_UP', 'FREEZE')),
    request_id      text,
    source_address  text,
    evidence        json not null,
    exposure        json,
    status          text not null check (status in ('OPEN', 'ACKNOWLEDGED')),
    acknowledged_by bigint references staff (id),
    acknowledged_at timestamptz,
    note            text
);
create index guard_alert_open on guard_alert (raised_at) where status = 'OPEN';

grant select, insert, update, delete on guard_touch, guard_query, guard_state, guard_session, guard_canary, guard_alert to dossier_app;

alter table guard_touch enable row level security;
create policy facility_wall on guard_touch to dossier_app using (facility_in_scope(facility_id)) with check (facility_in_scope(facility_id));
alter table guard_canary enable row level security;
create policy facility_wall on guard_canary to dossier_app using (facility_in_scope(facility_id)) with check (facility_in_scope(facility_id));
