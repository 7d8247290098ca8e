-- Every observation another system sends is kept as sent (issue 18, ADR 0027): a coded finding (smoking status, urine
-- appearance), a text, a yes/no, a survey's answers and scores as components, a value absent with its reason, several
-- categories, a period. `value` and `unit` stay the one number of a measurement (vital signs' trends and ranges read
-- them, unchanged), and are empty when the observation holds no single number; what it holds instead is in `result`,
-- json like `source` (ADR 0023): served back, never queried (searches on code, category and date work on the
-- resource served, under one gateway decision for the patient).
alter table observation alter column value drop not null;
alter table observation alter column unit drop not null;
alter table observation add column result json;
-- A measurement without its number is no measurement: the vital signs keep theirs, and an observation without a number
-- says what it holds instead.
alter table observation add constraint observation_holds_something
    check ((value is not null and unit is not null) or (value is null and value2 is null and kind = 'LAB' and result is not null));
