-- Encryption at rest (issue 22): a care-team member's role is free text a clinician types ("oncologue référent", "avis
-- spécialisé neurologie"), a hint of the patient's condition next to the patient's id; the census of clear columns
-- (ClearColumnCensusTest) found it in clear. Written sealed with the patient's own key, bound to its cell, as V67 did for a
-- referral's reason; rows written before keep their plaintext until the data-key rotation job seals them.
alter table care_team_member add column sealed_role bytea;
alter table care_team_member alter column role drop not null;
alter table care_team_member add constraint care_team_member_role_once check ((role is null) <> (sealed_role is null));
