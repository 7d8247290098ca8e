-- Issue 21 (ADR 0061): PostgreSQL estimates a set-returning function at 1,000 rows unless told. The gateway's decision
-- reads patient_facts and portal_facts, which return at most the one row of a primary key; at 1,000 rows the generic
-- plan of the decision looked dearer than a plan made for each call's values, so the plan cache chose to plan the
-- statement anew at every request (about 480 µs, more than running it). Declared as what they return, the generic plan
-- is chosen from the sixth execution on and kept.
alter function patient_facts(bigint) rows 1;
alter function portal_facts(bigint, bigint) rows 1;
alter function staff_account(bigint) rows 1;
alter function guard_charge(bigint, text, text, timestamptz, bigint[], int[], boolean[], bigint, timestamptz, timestamptz,
                            timestamptz, timestamptz, text, timestamptz) rows 1;
-- A patient's care relationships: one row per kind that holds, a handful at most.
alter function care_relationship(bigint, int[], bigint, timestamptz, timestamptz, timestamptz, timestamptz) rows 5;
