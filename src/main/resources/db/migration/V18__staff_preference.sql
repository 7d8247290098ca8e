-- A staff member's own settings; only the language of the screens so far (browser language when unset).
create table staff_preference (
    staff_id   bigint primary key references staff (id),
    language   text check (language in ('fr', 'en')),
    updated_at timestamptz not null
);
