-- A legal guardian's link to a minor's record (issue 23, ADR 0050): the guardian's portal account (the credential the
-- desk checked, not only a person) reads the minor's record through the portal while the link holds. The front desk of
-- the minor's facility creates and ends it; it lapses by itself at the minor's 18th birthday (the gateway checks the
-- birth date at each read, nothing here needs to run). Ended links stay: they are the evidence of who could read when.
create table portal_guardian_link (
    id                  bigserial primary key,
    guardian_account_id bigint      not null references portal_account (id),
    minor_patient_id    bigint      not null references patient (id),
    facility_id         int         not null references facility (id),
    created_by          bigint      not null references staff (id),
    created_at          timestamptz not null,
    ended_at            timestamptz,
    ended_by            bigint references staff (id),
    check ((ended_at is null) = (ended_by is null))
);
-- At most one holding link per guardian and minor; the gateway reads it by both.
create unique index portal_guardian_link_holding on portal_guardian_link (guardian_account_id, minor_patient_id)
    where ended_at is null;
create index portal_guardian_link_by_minor on portal_guardian_link (minor_patient_id);

-- The facility wall (ADR 0012).
alter table portal_guardian_link enable row level security;
create policy facility_wall on portal_guardian_link to dossier_app using (facility_in_scope(facility_id))
    with check (facility_in_scope(facility_id));

-- What the gateway reads of a portal account deciding about one patient (ADR 0050): whose record the account is, and
-- whether it holds a link to this patient. Past the facility wall, like patient_facts (V13): the decision itself checks
-- the facility, and a request's scope must not make an account's own record look like someone else's.
create function portal_facts(account_id bigint, patient_id bigint)
    returns table (own_patient bigint, guardian_link boolean)
    language sql stable security definer set search_path = public
as $$
    select (select a.patient_id from portal_account a where a.id = $1),
           exists (select 1 from portal_guardian_link l
                    where l.guardian_account_id = $1 and l.minor_patient_id = $2 and l.ended_at is null)
$$;
revoke all on function portal_facts(bigint, bigint) from public;
grant execute on function portal_facts(bigint, bigint) to dossier_app;
