#!/usr/bin/env bash
# The guard's charge on its own and in a FHIR read (issue 21, ADR 0038): one build on one data directory.
# Usage: bench/guard-charge.sh <jar> <data dir> <label>   (a 20,000-patient demo is enough: the figures are per call)
# Measures, with pg_stat_statements (track = top, then track = all for the statements inside the charge):
#   1. FHIR GET Patient/{id} as the physician on their census (wrk, as bench/http.sh): requests/s, statements per
#      request, guard_charge's mean time per call;
#   2. guard_charge alone under pgbench as the application role: a patient charged again within the second (nothing to
#      write) and a patient not charged this second (a touch written), mean time per call.
# Alternate builds (A B A B), each on its own copy of the data: a directory migrated by the newer build no longer starts
# the older one. Results: target/bench/guard/<label>.txt. Needs wrk, pgbench, psql, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$1 data_dir=$2 label=$3
port=${BENCH_PORT:-18090}
warmup=${BENCH_WARMUP:-30s}
duration=${BENCH_DURATION:-20s}
connections=${BENCH_CONNECTIONS:-32}
out=target/bench/guard
mkdir -p "$out"
results="$out/$label.txt"
: > "$results"
record() { echo "$1=$2" | tee -a "$results"; }

DOSSIER_DATA_DIR="$data_dir" DOSSIER_DEMO=false DOSSIER_PROFILE=development java -jar "$jar" \
  --server.port="$port" --dossier.guard.threshold-scale=10000 --dossier.db.embedded.shared-buffers=1GB \
  --dossier.db.embedded.preload-libraries=pg_stat_statements \
  --logging.level.root=warn --logging.level.dossier.security=warn > "$out/$label.server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; do
  kill -0 $server 2>/dev/null || { echo "the server stopped; see $out/$label.server.log" >&2; exit 1; }
  sleep 0.2
done
export PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$data_dir/postgres/postmaster.pid") PGUSER=dossier PGDATABASE=dossier
export PGPASSWORD=$(cat "$data_dir/postgres-password")
sql() { psql -qAtX -v ON_ERROR_STOP=1 -F $'\t' "$@"; }
sql -c "create extension if not exists pg_stat_statements" >/dev/null
track() { sql -c "alter system set pg_stat_statements.track = '$1'" -c "select pg_reload_conf()" >/dev/null; sleep 1; }
track top
# The load accounts start active, their guard rows gone (an earlier run's churn is not this run's cost).
sql -c "update staff set status = 'ACTIVE' where username in ('physician', 'nurse') and status = 'FROZEN';
        delete from guard_touch where staff_id in (select id from staff where username in ('physician', 'nurse'));
        delete from guard_tally where staff_id in (select id from staff where username in ('physician', 'nurse'));
        insert into guard_state (staff_id, counting_since) select id, now() from staff where username in ('physician', 'nurse')
        on conflict (staff_id) do update set counting_since = excluded.counting_since" >/dev/null
sql -c "vacuum analyze guard_touch, guard_tally" >/dev/null

code=$(java -cp "$jar" -Dloader.main=org.dossier.demo.DemoTotp org.springframework.boot.loader.launch.PropertiesLauncher physician \
  | awk '/code/ {print $2}')
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/token" -H 'Content-Type: application/json' \
  -d "{\"username\":\"physician\",\"password\":\"dossier-demo-2026\",\"code\":\"$code\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "no token for physician" >&2; exit 1; }
physician=$(sql -c "select id from staff where username = 'physician'")
sql -c "select distinct m.patient_id from stay_movement m join staff_unit su on su.unit_id = m.unit_id
         where su.staff_id = $physician and m.to_at is null
           and not exists (select 1 from guard_canary c where c.patient_id = m.patient_id) order by 1" > "$out/mine.txt"
awk '{print "GET\t/fhir/Patient/" $1 "\t"}' "$out/mine.txt" > "$out/fhir-read.req"

wrk_run() { WRK_REQUESTS="$out/fhir-read.req" WRK_TOKEN="$token" WRK_THREADS=2 wrk -t2 -c"$connections" -d"$1" --latency \
              -s bench/wrk/replay.lua "http://127.0.0.1:$port"; }
charge_stats() { # calls, mean µs of guard_charge (top level)
  sql -c "select sum(calls), round(sum(total_exec_time)::numeric * 1000 / greatest(sum(calls), 1))
            from pg_stat_statements where toplevel and query like '%guard_charge(%'"
}
wrk_run "$warmup" > /dev/null
sql -c "select pg_stat_statements_reset()" >/dev/null
wrk_run "$duration" > "$out/$label.fhir.txt"
requests=$(sed -n 's/^RESULT {"requests":\([0-9]*\),.*/\1/p' "$out/$label.fhir.txt")
record fhirRead "$(sed -n 's/^RESULT //p' "$out/$label.fhir.txt")"
record fhirReadStatementsPerRequest "$(sql -c "select round(sum(calls)::numeric / $requests, 2) from pg_stat_statements
                                                where toplevel and query not like '%pg_stat_statements%'")"
record fhirReadGuardChargeCallsAndMeanMicros "$(charge_stats)"
sql -c "select round(calls::numeric / $requests, 2), round(mean_exec_time::numeric * 1000), left(regexp_replace(query, '\s+', ' ', 'g'), 120)
          from pg_stat_statements where toplevel and calls * 20 >= $requests order by calls desc" > "$out/$label.fhir.statements.txt"

# guard_charge alone, as the application role, for the nurse (no HTTP load meanwhile).
nurse=$(sql -c "select id from staff where username = 'nurse'")
cat > "$out/charge.sql" <<'EOF'
\set q random(1, :patients) + :first
select status from guard_charge(:staff, null, null, now(), array[cast(:q as bigint)], array[1], array[false], -1,
       now() - interval '1 minute', now() - interval '1 hour', now() - interval '1 day', now() - interval '30 days', 'OPEN',
       now() - interval '10 minutes');
EOF
first=$(sql -c "select min(id) - 1 from patient")
bench_charge() { # name, patients drawn from
  sql -c "select pg_stat_statements_reset()" >/dev/null
  PGUSER=dossier_app PGPASSWORD=$(cat "$data_dir/app-password") PGOPTIONS="-c dossier.facilities=1,2,3" pgbench -n -M prepared -c 1 -j 1 -T "${duration%s}" \
    -D staff="$nurse" -D patients="$2" -D first="$first" -f "$out/charge.sql" dossier > "$out/$label.$1.pgbench.txt" 2>&1
  record "$1Tps" "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out/$label.$1.pgbench.txt")"
  record "$1GuardChargeCallsAndMeanMicros" "$(charge_stats)"
}
bench_charge chargeAgainWithinTheSecond 4
bench_charge chargeWritten 20000
# The statements inside the charge (track = all), on the FHIR load again.
track all
wrk_run 5s > /dev/null
sql -c "select pg_stat_statements_reset()" >/dev/null
wrk_run "$duration" > "$out/$label.fhir-all.txt"
requests=$(sed -n 's/^RESULT {"requests":\([0-9]*\),.*/\1/p' "$out/$label.fhir-all.txt")
sql -c "select toplevel, round(calls::numeric / $requests, 2), round(mean_exec_time::numeric * 1000), left(regexp_replace(query, '\s+', ' ', 'g'), 120)
          from pg_stat_statements where calls * 20 >= $requests order by toplevel desc, calls desc" > "$out/$label.fhir-all.statements.txt"
record fhirReadTrackAllGuardChargeCallsAndMeanMicros "$(charge_stats)"
track top
echo "results in $results"
