-- Encryption at rest of what other systems sent (issue 22, ADR 0053, docs/security/encryption.md): a received record's
-- resource as sent (the FHIR JSON: names, texts, codes), the text shown of it (code.text) and its first code are written
-- sealed with the patient's own key (ADR 0047), each bound to its cell (table, column, row, facility). Its type, status,
-- category, code system and dates stay in clear: the chart orders and the FHIR searches filter on them. Rows written
-- before this migration keep their plaintext until the data-key rotation job seals them (received_record's
-- SealedValues); a row holds each value one way or the other, never both.
alter table received_record
    add column sealed_resource bytea,
    add column sealed_label bytea,
    add column sealed_code bytea;
alter table received_record alter column resource drop not null;
alter table received_record alter column label drop not null;
alter table received_record add constraint received_record_resource_once check ((resource is null) <> (sealed_resource is null));
alter table received_record add constraint received_record_label_once check ((label is null) <> (sealed_label is null));
alter table received_record add constraint received_record_code_once check (code is null or sealed_code is null);

-- An import is named by the SHA-256 of the bundle it sent, no longer by the file name the client gave (Synthea names a
-- patient's file after the patient). The origins already kept are renamed so: the SHA-256 of the name they held (the
-- audit trail's entries keep what they said; nothing there is rewritten).
update import_origin set source = 'name-sha256-' || encode(sha256(convert_to(source, 'UTF8')), 'hex')
    where source not like 'sha256-%';
