-- An EHR launch names a patient: behind the facility wall like every row that does (RowLevelSecurityTest). The launch
-- is created in the clinician's request (the wall checks the patient's facility is theirs); it is resolved at the token
-- endpoint by its secret, bound to that clinician and that app, where the server reads it as itself.
alter table smart_launch add column facility_id int references facility (id);
update smart_launch l set facility_id = p.facility_id from patient p where p.id = l.patient_id;
delete from smart_launch where facility_id is null;
alter table smart_launch alter column facility_id set not null;
alter table smart_launch add constraint smart_launch_patient_fk foreign key (patient_id) references patient (id);

alter table smart_launch enable row level security;
create policy facility_wall on smart_launch to dossier_app
    using ((select coalesce(current_setting('dossier.facilities', true), '') = '*')
           or facility_id = any (cast((select facility_scope()) as int[])))
    with check ((select coalesce(current_setting('dossier.facilities', true), '') = '*')
           or facility_id = any (cast((select facility_scope()) as int[])));
