-- identity: second-factor failures counted per account, whatever the password did (issue 17, "Sign-in").
-- failures: wrong codes since the last success or lock; locks: how many locks since the last success (the lock
-- doubles each time); day_failures: wrong codes since day_start (20 in a day freeze the account).
create table second_factor_lock (
    staff_id      bigint primary key references staff (id),
    failures      int not null default 0,
    locks         int not null default 0,
    locked_until  timestamptz,
    day_start     timestamptz not null,
    day_failures  int not null default 0,
    last_failure  timestamptz
);

grant select, insert, update, delete on second_factor_lock to dossier_app;
