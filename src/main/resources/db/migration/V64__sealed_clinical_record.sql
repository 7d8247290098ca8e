-- Issue 22, ADR 0051: the clinical record sealed with the patient's own key (ADR 0047). Each table gets one sealed column,
-- sealed_content, holding what its row says of the patient as one JSON document (a note's title and body, an allergy's
-- substance, code, reaction and what the source sent, a problem's code and label, an observation's code, label, result
-- and source, a vaccine's or a procedure's code and label, a document's title); a document's bytes are sealed on their
-- own (sealed_file), and every version of a clinical record (clinical_version.sealed_snapshot). Ids, dates, statuses,
-- enumerated kinds, severities, units and measured numbers stay in clear (ADR 0051 says why).
-- Rows written before this migration keep their clear columns and read as before; each row holds one or the other, never
-- both, and the data-key rotation job seals the old ones (ClinicalSealedValues).

alter table clinical_note add column sealed_content bytea;
alter table clinical_note alter column title drop not null, alter column body drop not null;
alter table clinical_note add constraint clinical_note_sealed_once
    check ((sealed_content is null) = (title is not null and body is not null) and (sealed_content is null or (title is null and body is null)));

alter table allergy add column sealed_content bytea;
alter table allergy alter column substance drop not null;
alter table allergy add constraint allergy_sealed_once
    check ((sealed_content is null) = (substance is not null)
           and (sealed_content is null or (substance_code is null and reaction is null and source is null)));

alter table problem add column sealed_content bytea;
alter table problem alter column icd10_code drop not null, alter column label drop not null;
alter table problem add constraint problem_sealed_once
    check ((sealed_content is null) = (icd10_code is not null and label is not null)
           and (sealed_content is null or (icd10_code is null and label is null and source is null)));

-- The observation's code is sealed; "the latest value of each code" groups by its blind index (equality only, the
-- facility's INDEX key: ADR 0042), so the statement keeps its shape.
alter table observation add column sealed_content bytea;
alter table observation add column code_token bytea;
alter table observation alter column code drop not null, alter column label drop not null;
alter table observation add constraint observation_sealed_once
    check ((sealed_content is null) = (code is not null and label is not null)
           and (sealed_content is null or (code is null and label is null and source is null and result is null and code_token is not null)));
alter table observation drop constraint observation_holds_something;
alter table observation add constraint observation_holds_something
    check ((value is not null and unit is not null)
           or (value is null and value2 is null and kind = 'LAB' and (result is not null or sealed_content is not null)));

alter table clinical_document add column sealed_content bytea;
alter table clinical_document add column sealed_file bytea;
alter table clinical_document alter column title drop not null, alter column content drop not null;
alter table clinical_document add constraint clinical_document_sealed_once
    check ((sealed_content is null) = (title is not null) and (sealed_file is null) = (content is not null)
           and (sealed_content is null) = (sealed_file is null));

alter table immunization add column sealed_content bytea;
alter table immunization alter column label drop not null;
alter table immunization add constraint immunization_sealed_once
    check ((sealed_content is null) = (label is not null) and (sealed_content is null or (code is null and source is null)));

alter table procedure_record add column sealed_content bytea;
alter table procedure_record alter column label drop not null;
alter table procedure_record add constraint procedure_record_sealed_once
    check ((sealed_content is null) = (label is not null) and (sealed_content is null or (code is null and source is null)));

alter table clinical_version add column sealed_snapshot bytea;
alter table clinical_version alter column snapshot drop not null;
alter table clinical_version add constraint clinical_version_snapshot_once check ((snapshot is null) <> (sealed_snapshot is null));
