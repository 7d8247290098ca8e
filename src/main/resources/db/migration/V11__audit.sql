-- audit: the append-only, hash-chained trail of every access to patient data (and every security event).
-- Each entry stores H(previous hash || canonical entry); signed checkpoints let a copy kept outside the
-- database prove later that nothing was rewritten.
create table audit_entry (
    seq            bigint primary key,
    recorded_at    timestamptz not null,
    actor_id       bigint,
    actor_username text,
    actor_roles    text,
    facility_id    int,
    session_id     text,
    source_address text,
    user_agent     text,
    action         text not null,
    patient_id     bigint,
    resource_type  text,
    resource_id    text,
    sections       text,
    decision       text not null check (decision in ('ALLOW', 'DENY', 'INFO')),
    reason_code    text,
    purpose        text,
    request_id     text,
    detail         text,
    prev_hash      char(64) not null,
    hash           char(64) not null
);
create index audit_entry_by_actor on audit_entry (actor_id, recorded_at);
create index audit_entry_by_patient on audit_entry (patient_id, recorded_at) where patient_id is not null;

-- The head of the chain: one row, locked by each batch, so that writers on several nodes append in turn.
create table audit_head (
    id        int primary key check (id = 1),
    last_seq  bigint not null,
    last_hash char(64) not null
);
insert into audit_head (id, last_seq, last_hash) values (1, 0, repeat('0', 64));

create table audit_checkpoint (
    seq        bigint primary key,
    head_hash  char(64) not null,
    signed_at  timestamptz not null,
    key_id     text not null,
    signature  text not null
);

-- Nothing rewrites the trail: updates and deletes are refused for every role but a superuser who first
-- disables the trigger, and that leaves the chain broken for verification to find.
create function audit_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only: % refused on %', tg_op, tg_table_name;
end;
$$;
create trigger audit_entry_append_only before update or delete on audit_entry
    for each row execute function audit_append_only();
create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
    for each row execute function audit_append_only();
create trigger audit_entry_no_truncate before truncate on audit_entry
    for each statement execute function audit_append_only();
