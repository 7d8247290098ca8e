-- The hospital's policy for its patient portal, per facility (issue 23, ADR 0044), set by an administrator (audited).
-- A facility without a row has the defaults: break-the-glass notices shown to the patient, staff shown by roles and units
-- only (not by name).
create table portal_setting (
    facility_id        int         primary key references facility (id),
    break_glass_notice boolean     not null default true,
    staff_names        boolean     not null default false,
    updated_by         bigint      not null references staff (id),
    updated_at         timestamptz not null
);

-- The facility wall (ADR 0012).
alter table portal_setting enable row level security;
create policy facility_wall on portal_setting to dossier_app using (facility_in_scope(facility_id))
    with check (facility_in_scope(facility_id));

-- A case the system opened (not the patient) says so by its reason, and names the staff account that issued the code
-- by its id: the officer's note keeps the account number, the patient is told the issuer's roles and units only.
alter table portal_case add column system_reason text check (system_reason in ('ENROLLED_OVER_ACTIVE'));
alter table portal_case add column issued_by bigint references staff (id);
update portal_case set system_reason = 'ENROLLED_OVER_ACTIVE',
                       issued_by = (select s.id from staff s where s.id = substring(patient_note from 'staff account (\d{1,18})')::bigint)
 where patient_note like 'Opened by the system:%';
