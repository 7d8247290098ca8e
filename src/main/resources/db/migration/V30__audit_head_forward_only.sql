-- The chain head and the checkpoints are part of the trail: nobody truncates them, nobody deletes the head, and the head
-- only moves forward (the writer's compare-and-set always advances it). A superuser can still disable these triggers;
-- the witness outside the database (ADR 0020) is what catches that.
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function audit_append_only();
create trigger audit_head_no_truncate before truncate on audit_head
    for each statement execute function audit_append_only();

create function audit_head_forward_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'the audit trail is append-only: DELETE refused on audit_head';
    end if;
    if new.last_seq < old.last_seq or (new.last_seq = old.last_seq and new.last_hash <> old.last_hash) then
        raise exception 'the audit chain head only moves forward (% -> % refused)', old.last_seq, new.last_seq;
    end if;
    return new;
end;
$$;
create trigger audit_head_forward_only before update or delete on audit_head
    for each row execute function audit_head_forward_only();
