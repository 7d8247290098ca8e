-- Where every imported record came from (issue 18): the source system's id of the resource (its fullUrl, or type/id)
-- and the import it came with (file or bundle, as the audit trail names it). Served back as meta.source, so that a
-- record can be traced to what the other system sent, and a duplicate import told from a new record. Written once per
-- stored entry at the end of an import, never changed; behind the facility wall like the records it describes.
create table import_origin (
    resource_type text not null,
    record_id     text not null,
    facility_id   int not null references facility (id),
    patient_id    bigint references patient (id),
    source        text not null,
    original_id   text,
    imported_at   timestamptz not null,
    primary key (resource_type, record_id)
);

alter table import_origin enable row level security;
create policy facility_wall on import_origin to dossier_app
    using ((select coalesce(current_setting('dossier.facilities', true), '') = '*')
           or facility_id = any (cast((select facility_scope()) as int[])))
    with check ((select coalesce(current_setting('dossier.facilities', true), '') = '*')
           or facility_id = any (cast((select facility_scope()) as int[])));
