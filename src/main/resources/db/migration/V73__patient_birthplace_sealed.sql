-- Encryption at rest (issue 22, ADR 0046): a patient's birthplace (the INSEE code of the commune, or of the country abroad)
-- is an INS trait; with the sex and the equality classes of the birth date's token it narrows a person down, so the census
-- of clear columns (ClearColumnCensusTest) listed it as left in clear. Written sealed with the patient's own key and bound
-- to its cell, as V57 did for the rest of the identity. Nothing searches or matches on it (duplicate detection compares
-- INS, names and birth date), so it gets no blind-index token. Rows written before keep their plaintext until the
-- server's background job seals them (patient.bulk.IdentitySealing); a row holds it one way or the other, never both.
alter table patient add column sealed_birthplace_code bytea;
alter table patient add constraint patient_birthplace_once check (birthplace_code is null or sealed_birthplace_code is null);
