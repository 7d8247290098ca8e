-- identity: credentials are kept apart from the staff directory; only the identity module reads them.
create table staff_credential (
    staff_id      bigint primary key references staff (id),
    password_hash text not null,
    updated_at    timestamptz not null
);
