-- The audit writer's append of one batch (AuditTrail): the entries first, then the chain head, locked and moved only if
-- it is still where the batch was chained from; otherwise the whole batch is undone with serialization_failure, and the
-- writer reads the head again and re-chains it. Inserting before taking the head's lock lets the next batch be written
-- while the one before it still commits (the writer keeps two in flight): they wait for each other only at the head, and
-- a batch chained on one that failed fails in turn, so the chain holds each entry once, in order.
create function audit_append(from_seq bigint, from_hash char(64), to_seq bigint, to_hash char(64),
                             seqs bigint[], recorded timestamptz[], actor_ids bigint[], usernames text[], roles text[],
                             facilities int[], sessions text[], addresses text[], agents text[], actions text[], patients bigint[],
                             resource_types text[], resource_ids text[], sections text[], decisions text[], reasons text[],
                             purposes text[], requests text[], details text[], prev_hashes text[], hashes text[])
    returns void language plpgsql as $$
declare
    head_seq  bigint;
    head_hash char(64);
begin
    insert into audit_entry (seq, recorded_at, actor_id, actor_username, actor_roles, facility_id, session_id, source_address,
                             user_agent, action, patient_id, resource_type, resource_id, sections, decision, reason_code, purpose,
                             request_id, detail, prev_hash, hash)
    select * from unnest(seqs, recorded, actor_ids, usernames, roles, facilities, sessions, addresses, agents, actions, patients,
                         resource_types, resource_ids, sections, decisions, reasons, purposes, requests, details, prev_hashes, hashes);
    -- Locked by id alone: after waiting for the batch before, this reads the head that batch left.
    select last_seq, last_hash into head_seq, head_hash from audit_head where id = 1 for update;
    if head_seq <> from_seq or head_hash <> from_hash then
        raise exception 'the audit chain head is at entry %, not at entry % where this batch was chained', head_seq, from_seq
            using errcode = 'serialization_failure';
    end if;
    update audit_head set last_seq = to_seq, last_hash = to_hash where id = 1;
end;
$$;
