-- Issue 21 (ADR 0037): a node remembers the bearer tokens it was shown with their account (roles, facilities, units),
-- so that a request does not read them again. It must forget them the moment they change, whichever node changed them:
-- every change of an account, of its roles, facilities or units, and every revocation of a token, notifies the channel
-- dossier_account with the account's id. PostgreSQL delivers a notification to every listening session when (and only
-- if) its transaction commits, once per distinct payload and transaction. A row moved from one account to another (no
-- code does it today) tells both accounts.
create function notify_account_change() returns trigger
    language plpgsql
as $$
begin
    if tg_op = 'UPDATE' and (to_jsonb(old) ->> tg_argv[0]) is distinct from (to_jsonb(new) ->> tg_argv[0]) then
        perform pg_notify('dossier_account', to_jsonb(old) ->> tg_argv[0]);
    end if;
    perform pg_notify('dossier_account', (coalesce(to_jsonb(new), to_jsonb(old)) ->> tg_argv[0]));
    return null;
end;
$$;

create trigger staff_changed after update or delete on staff
    for each row execute function notify_account_change('id');
create trigger staff_role_changed after insert or update or delete on staff_role
    for each row execute function notify_account_change('staff_id');
create trigger staff_facility_changed after insert or update or delete on staff_facility
    for each row execute function notify_account_change('staff_id');
create trigger staff_unit_changed after insert or update or delete on staff_unit
    for each row execute function notify_account_change('staff_id');
-- A new token was never remembered; a revoked or deleted one may have been.
create trigger api_token_changed after update or delete on api_token
    for each row execute function notify_account_change('staff_id');
