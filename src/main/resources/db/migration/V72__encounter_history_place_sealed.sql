-- Encryption at rest (issue 22): an imported past encounter's place, practitioner and type code, as the other system sent
-- them ("Centre de dialyse ...", a specialist's name, a SNOMED code), each hint at a condition next to the patient's id;
-- the census of clear columns (ClearColumnCensusTest) listed them as left in clear. Written sealed with the patient's own
-- key, bound to its cell, as V67 did for the same rows' type and reason; nothing queries them. Rows written before keep
-- their plaintext until the data-key rotation job seals them (care's encounterHistoryText); a row holds each value one
-- way or the other, never both.
alter table encounter_history
    add column sealed_organization bytea,
    add column sealed_practitioner bytea,
    add column sealed_type_code bytea;
alter table encounter_history add constraint encounter_history_organization_once check (organization is null or sealed_organization is null);
alter table encounter_history add constraint encounter_history_practitioner_once check (practitioner is null or sealed_practitioner is null);
alter table encounter_history add constraint encounter_history_type_code_once check (type_code is null or sealed_type_code is null);
