-- Administration cannot become clinical (issue 16, part 5).
--
-- 1. Separation of duties: an ADMIN or SECURITY_OFFICER account never also holds a role that reads patient data
--    (PHYSICIAN, NURSE, FRONT_DESK, BILLING). The service refuses it with a clear message; this trigger makes the
--    combination impossible even by direct SQL from the application role (which may not disable triggers: it owns
--    no table). The account's row is locked first, so two concurrent inserts cannot each miss the other's role.
create function staff_role_separation() returns trigger
    language plpgsql
as $$
begin
    perform 1 from staff where id = new.staff_id for update;
    if (new.role in ('ADMIN', 'SECURITY_OFFICER')
            and exists (select 1 from staff_role r
                         where r.staff_id = new.staff_id and r.role in ('PHYSICIAN', 'NURSE', 'FRONT_DESK', 'BILLING')))
       or (new.role in ('PHYSICIAN', 'NURSE', 'FRONT_DESK', 'BILLING')
            and exists (select 1 from staff_role r
                         where r.staff_id = new.staff_id and r.role in ('ADMIN', 'SECURITY_OFFICER'))) then
        raise exception using errcode = '23514', constraint = 'staff_role_separation',
            message = format('separation of duties: staff %s cannot hold %s together with %s', new.staff_id, new.role,
                             case when new.role in ('ADMIN', 'SECURITY_OFFICER')
                                  then 'a role that reads patient data' else 'ADMIN or SECURITY_OFFICER' end);
    end if;
    return new;
end $$;

create trigger staff_role_separation before insert or update on staff_role
    for each row execute function staff_role_separation();

-- 2. A grant that widens an account (a new account, a role, a facility or a unit added) waits here until a second
--    administrator approves it with a fresh second factor, or an administrator rejects it. The row keeps the whole
--    requested account; it changes once, from PENDING to APPROVED or REJECTED (its version goes 1 -> 2), and is never
--    deleted. Whoever requested it cannot decide it by approval, nor can the account it is about.
create table staff_grant (
    id                bigint generated always as identity primary key,
    kind              text not null check (kind in ('CREATE', 'CHANGE')),
    staff_id          bigint references staff (id),
    username          text not null,
    base_version      int,
    requested         json not null,
    added_roles       text[] not null,
    added_facilities  int[] not null,
    added_units       int[] not null,
    facility_ids      int[] not null,
    reason            text not null,
    requested_by      bigint not null references staff (id),
    requested_at      timestamptz not null,
    status            text not null check (status in ('PENDING', 'APPROVED', 'REJECTED')),
    decided_by        bigint references staff (id),
    decided_at        timestamptz,
    decision_note     text,
    version           int not null,
    check ((kind = 'CREATE') = (staff_id is null and base_version is null)),
    check ((status = 'PENDING') = (decided_by is null and decided_at is null)),
    check (status <> 'APPROVED' or (decided_by <> requested_by and decided_by is distinct from staff_id)),
    check (requested_by is distinct from staff_id)
);
create unique index staff_grant_one_pending_per_account on staff_grant (staff_id) where status = 'PENDING' and staff_id is not null;
create unique index staff_grant_one_pending_per_username on staff_grant (username) where status = 'PENDING';
create index staff_grant_pending on staff_grant (requested_at) where status = 'PENDING';

create function staff_grant_decided_once() returns trigger
    language plpgsql
as $$
begin
    if tg_op = 'DELETE' then
        raise exception using errcode = '42501', message = 'a grant request is never deleted';
    end if;
    if old.status <> 'PENDING' or new.status = 'PENDING'
            or (new.kind, new.staff_id, new.username, new.base_version, new.requested::text, new.added_roles,
                new.added_facilities, new.added_units, new.facility_ids, new.reason, new.requested_by, new.requested_at)
               is distinct from
               (old.kind, old.staff_id, old.username, old.base_version, old.requested::text, old.added_roles,
                old.added_facilities, old.added_units, old.facility_ids, old.reason, old.requested_by, old.requested_at)
            or new.version <> old.version + 1 then
        raise exception using errcode = '42501',
            message = format('grant %s: only a pending request is decided, once, and what was requested never changes', old.id);
    end if;
    return new;
end $$;

create trigger staff_grant_decided_once before update or delete on staff_grant
    for each row execute function staff_grant_decided_once();

grant select, insert, update on staff_grant to dossier_app;
revoke delete on staff_grant from dossier_app;

-- 3. The security officer is alerted on each grant request: an alert that freezes nothing and asks for nothing
--    (response NOTIFY). The response check is widened whatever values earlier migrations allow.
do $$
declare
    c record;
    def text;
begin
    for c in select conname, pg_get_constraintdef(oid) as def from pg_constraint
              where conrelid = 'guard_alert'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%response%'
    loop
        if c.def not like '%''NOTIFY''%' and c.def like '%ARRAY[%' then
            def := replace(c.def, 'ARRAY[', 'ARRAY[''NOTIFY''::text, ');
            execute format('alter table guard_alert drop constraint %I', c.conname);
            execute format('alter table guard_alert add constraint %I %s', c.conname, def);
        end if;
    end loop;
end $$;
