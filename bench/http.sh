#!/usr/bin/env bash
# The HTTP load benchmark (issue 9): starts the server on the benchmark data with production settings, drives it
# over HTTP with wrk (32 connections, warm-up excluded) and measures, against the same PostgreSQL, the ceilings
# pgbench reaches: select-only point reads, and the SQL one chart read issues (bench/chart-read.sql).
# Usage: bench/http.sh [data dir]   (default ./data-1000000; made by bench/run.sh). Results: target/bench/http.json.
# Needs: wrk, pgbench and psql (Debian: apt-get install wrk postgresql-client), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-./data-1000000}
port=${BENCH_PORT:-18080}
warmup=${BENCH_WARMUP:-20s}
duration=${BENCH_DURATION:-30s}
connections=${BENCH_CONNECTIONS:-32}
threads=2
out=target/bench/http
mkdir -p "$out"
for tool in wrk pgbench psql curl; do
  command -v "$tool" >/dev/null || { echo "bench/http.sh needs $tool (apt-get install wrk postgresql-client curl)" >&2; exit 2; }
done
[ -f "$data_dir/postgres/PG_VERSION" ] || { echo "no benchmark data in $data_dir: run bench/run.sh first" >&2; exit 2; }
[ -f target/dossier.jar ] || ./mvnw -q -ntp -DskipTests package

results="$out/results.txt"
: > "$results"
record() { echo "$1=$2" | tee -a "$results"; }

# --- cold start: process start to the first healthy answer -------------------------------------------------
# From the extracted layout Spring Boot recommends for deployment (java -Djarmode=tools -jar … extract): the
# nested-jar class loading of the fat jar added about 3 s to every start (BENCHMARKS.md).
# BENCH_JAVA chooses the JDK the server runs on; with BENCH_AOT=1 (JDK 25+) it starts from an ahead-of-time cache made
# by a training run (bin/aot-cache, ADR 0033).
server_java=${BENCH_JAVA:-java}
aot=()
if [ -n "${BENCH_AOT:-}" ]; then
  JAVA="$server_java" bin/aot-cache "$out/app" >/dev/null
  aot=(-XX:AOTCache="$out/app/dossier.aot")
else
  rm -rf "$out/app" && java -Djarmode=tools -jar target/dossier.jar extract --destination "$out/app" >/dev/null
fi
# The guard runs in full (every access is counted and checked) with its thresholds scaled up: a load generator
# reads thousands of records a second, which the guard exists to stop.
start=$(date +%s%N)
DOSSIER_DATA_DIR="$data_dir" DOSSIER_DEMO=false DOSSIER_PROFILE=development "$server_java" "${aot[@]}" -jar "$out/app/dossier.jar" \
  --server.port="$port" --dossier.guard.threshold-scale=10000 --dossier.db.embedded.shared-buffers=1GB \
  --dossier.db.embedded.preload-libraries=pg_stat_statements \
  --logging.level.root=warn --logging.level.dossier.security=warn ${BENCH_SERVER_ARGS:-} > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; do
  kill -0 $server 2>/dev/null || { echo "the server stopped; see $out/server.log" >&2; exit 1; }
  sleep 0.05
done
record coldStartMillis $(( ($(date +%s%N) - start) / 1000000 ))

export PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$data_dir/postgres/postmaster.pid") PGUSER=dossier PGDATABASE=dossier
export PGPASSWORD=$(cat "$data_dir/postgres-password")
sql() { psql -qAtX -v ON_ERROR_STOP=1 -F $'\t' "$@"; }

# pg_stat_statements counts the statements each scenario issues per request (its own cost is within the noise).
sql -c "create extension if not exists pg_stat_statements" >/dev/null

# The accounts the load runs as start active, their guard counting from now (an earlier run may have left them frozen).
sql -c "update staff set status = 'ACTIVE' where username in ('physician', 'frontdesk') and status = 'FROZEN';
        insert into guard_state (staff_id, counting_since) select id, now() from staff where username in ('physician', 'frontdesk')
        on conflict (staff_id) do update set counting_since = excluded.counting_since" >/dev/null

# --- tokens of the demo accounts (one per account: an authenticator code is accepted once) ------------------
token() {
  local code
  code=$(java -cp target/dossier.jar -Dloader.main=org.dossier.demo.DemoTotp org.springframework.boot.loader.launch.PropertiesLauncher "$1" \
    | awk '/code/ {print $2}')
  curl -sf -X POST "http://127.0.0.1:$port/api/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"dossier-demo-2026\",\"code\":\"$code\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
physician_token=$(token physician)
desk_token=$(token frontdesk)
[ -n "$physician_token" ] && [ -n "$desk_token" ] || { echo "could not get the demo accounts' tokens" >&2; exit 1; }

# --- workloads: request files, one request per line (METHOD, path, JSON body) ------------------------------
physician=$(sql -c "select id from staff where username = 'physician'")
# The physician's own patients: current inpatients of their units (what their census shows).
sql -c "select distinct m.patient_id from stay_movement m join staff_unit su on su.unit_id = m.unit_id
         where su.staff_id = $physician and m.to_at is null
           and not exists (select 1 from guard_canary c where c.patient_id = m.patient_id) order by 1" > "$out/mine.txt"
[ -s "$out/mine.txt" ] || { echo "the physician has no inpatients in this data" >&2; exit 1; }
awk '{print "GET\t/api/patients/" $1 "/chart\t"}' "$out/mine.txt" > "$out/chart.req"
awk '{print "GET\t/fhir/Patient/" $1 "\t"}' "$out/mine.txt" > "$out/fhir-read.req"
# Searches the front desk makes: the first four letters of a family name with the birth date; an exact INS. The demo's
# identities are sealed (issue 22) and cannot be read out of the database, so the searches are for patients the desk
# registers here first, synthesized with their INS (once per data directory: bench/peer/tools/post.py). Never a canary
# patient: showing one freezes the account at once, whatever the thresholds' scale.
if [ ! -f "$data_dir/bench-searched.tsv" ]; then
  python3 bench/peer/tools/post.py synthesize 2000 22 > "$out/searched.tsv"
  python3 bench/peer/tools/post.py register "http://127.0.0.1:$port" "$out/searched.tsv" --token "$desk_token" >&2
  cp "$out/searched.tsv" "$data_dir/bench-searched.tsv"
fi
shuffled() { shuf --random-source=<(yes) "$data_dir/bench-searched.tsv"; }
shuffled | awk -F'\t' 'length($2) >= 4 {print "GET\t/api/patients?name=" substr($2, 1, 4) "&birthDate=" $4 "\t"}' > "$out/search-name.req"
shuffled | awk -F'\t' 'length($2) >= 4 {print "GET\t/fhir/Patient?family=" substr($2, 1, 4) "&birthdate=" $4 "\t"}' > "$out/fhir-search.req"
shuffled | awk -F'\t' '{print "GET\t/api/patients?ins=" $6 "\t"}' > "$out/search-ins.req"
# Note signing: drafts of the physician on their patients, each signed once.
sql -c "insert into clinical_note (facility_id, patient_id, kind, status, title, body, author_id, version, created_at, updated_at)
        select p.facility_id, p.id, 'PROGRESS', 'DRAFT', 'Bench note', 'Stable. Continue treatment.', $physician, 1, now(), now()
          from generate_series(1, 2000) g cross join patient p where p.id in ($(paste -sd, "$out/mine.txt"))" >/dev/null
sql -c "select id from clinical_note where author_id = $physician and status = 'DRAFT' and title = 'Bench note' order by id" \
  | awk '{print "POST\t/api/notes/" $1 "/sign\t{\"version\":1}"}' > "$out/sign.req"
# Booking: five-minute slots, every day, for the physicians of facility 1; each request books a free one.
sql -c "insert into practitioner_schedule (facility_id, practitioner_id, unit_id, weekday, start_time, end_time, slot_minutes, valid_from, created_at)
        select 1, s.id, min(su.unit_id), d, time '06:00', time '22:00', 5, current_date, now()
          from staff s join staff_role r on r.staff_id = s.id and r.role = 'PHYSICIAN' join staff_unit su on su.staff_id = s.id
          join care_unit u on u.id = su.unit_id and u.facility_id = 1 cross join generate_series(1, 7) d
         where not exists (select 1 from practitioner_schedule x where x.practitioner_id = s.id and x.slot_minutes = 5 and x.weekday = d)
         group by s.id, d" >/dev/null
sql -c "with doctors as (select id, row_number() over (order by id) as n
                           from (select distinct practitioner_id as id from practitioner_schedule
                                  where slot_minutes = 5 and facility_id = 1) d),
             some_patients as (select id, row_number() over (order by id) as n from patient p where facility_id = 1 and status = 'ACTIVE'
                                and not exists (select 1 from guard_canary c where c.patient_id = p.id) limit 5000),
             slots as (select ((current_date + d) + time '06:00' + make_interval(mins => 5 * k)) at time zone 'Europe/Paris' as start_at, d, k
                         from generate_series(60, 80) d cross join generate_series(0, 191) k)
        select 'POST', '/api/appointments', json_build_object('patientId', p.id, 'practitionerId', doc.id,
                 'startAt', to_char(sl.start_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'reason', 'bench follow-up')
          from slots sl cross join doctors doc
          join some_patients p on p.n = 1 + ((sl.k * 7 + doc.n) % 5000)
         where not exists (select 1 from appointment a where a.practitioner_id = doc.id and a.status in ('BOOKED', 'COMPLETED', 'NO_SHOW')
                             and a.start_at > sl.start_at - interval '4 hours'
                             and a.start_at < sl.start_at + interval '5 minutes' and a.end_at > sl.start_at)
         order by sl.d, sl.k, doc.n limit 200000" > "$out/book.req"

# --- HTTP load ---------------------------------------------------------------------------------------------
load() { # name, request file, token, offset into the file (one-shot requests are never sent twice)
  local name=$1 file=$2 tok=$3 result
  WRK_REQUESTS="$file" WRK_TOKEN="$tok" WRK_THREADS=$threads wrk -t$threads -c"$connections" -d"$warmup" \
    -s bench/wrk/replay.lua "http://127.0.0.1:$port" > "$out/$name.warmup.txt"
  if [ "${4:-}" = "one-shot" ]; then
    local sent
    sent=$(sed -n 's/^RESULT {"requests":\([0-9]*\),.*/\1/p' "$out/$name.warmup.txt")
    tail -n +$((sent + connections * 2 + 1)) "$file" > "$file.rest"
    file="$file.rest"
  fi
  sql -c "select pg_stat_statements_reset()" >/dev/null
  WRK_REQUESTS="$file" WRK_TOKEN="$tok" WRK_THREADS=$threads wrk -t$threads -c"$connections" -d"$duration" --latency \
    -s bench/wrk/replay.lua "http://127.0.0.1:$port" > "$out/$name.txt"
  result=$(sed -n 's/^RESULT //p' "$out/$name.txt")
  record "$name" "$result"
  statements "$name" "$(sed -n 's/^RESULT {"requests":\([0-9]*\),.*/\1/p' "$out/$name.txt")"
}
# Statements per request of the last load (every statement the server sent, background jobs' included), and the
# list of them with their calls per request and mean time, in $out/<name>.statements.txt.
statements() {
  local name=$1 requests=$2
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || return 0
  sql -c "select round(calls::numeric / $requests, 2) as per_request, round(mean_exec_time::numeric * 1000) as mean_us,
                 left(regexp_replace(query, '\s+', ' ', 'g'), 140)
            from pg_stat_statements where toplevel and calls * 20 >= $requests order by calls desc" > "$out/$name.statements.txt"
  record "${name}Statements" "$(sql -c "select round(sum(calls)::numeric / $requests, 2) from pg_stat_statements
                                         where toplevel and query not like '%pg_stat_statements%'")"
}
# The JIT first: on two cores, C2 keeps compiling for minutes under load (a whole core at first), and each scenario
# exercises code the others do not. Every read scenario runs once, unmeasured, before any is measured.
jit_warmup=${BENCH_JIT_WARMUP:-30s}
for pair in "chart.req $physician_token" "fhir-read.req $physician_token" "search-name.req $desk_token" \
            "search-ins.req $desk_token" "fhir-search.req $desk_token"; do
  set -- $pair
  WRK_REQUESTS="$out/$1" WRK_TOKEN="$2" WRK_THREADS=$threads wrk -t$threads -c"$connections" -d"$jit_warmup" \
    -s bench/wrk/replay.lua "http://127.0.0.1:$port" > /dev/null
done
load chartRead "$out/chart.req" "$physician_token"
connections=4 load chartReadAt4Clients "$out/chart.req" "$physician_token"
load fhirPatientRead "$out/fhir-read.req" "$physician_token"
load searchByNameAndBirthDate "$out/search-name.req" "$desk_token"
load searchByIns "$out/search-ins.req" "$desk_token"
load fhirPatientSearch "$out/fhir-search.req" "$desk_token"
load noteSigning "$out/sign.req" "$physician_token" one-shot
load appointmentBooking "$out/book.req" "$desk_token" one-shot

# --- memory after the load ---------------------------------------------------------------------------------
record residentMiB $(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 ))
heap=$(jcmd $server GC.heap_info 2>/dev/null | awk '/garbage-first heap|total/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1); exit}}')
record heapUsedAfterLoad "${heap:-unknown}"
jcmd $server GC.run >/dev/null 2>&1 || true
heap=$(jcmd $server GC.heap_info 2>/dev/null | awk '/garbage-first heap|total/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1); exit}}')
record heapUsedAfterFullGc "${heap:-unknown}"

# --- ceilings of the same PostgreSQL -----------------------------------------------------------------------
sql -d postgres -c "select 1 from pg_database where datname = 'pgbench'" | grep -q 1 || {
  sql -d postgres -c "create database pgbench" >/dev/null
  pgbench -i -s 20 -q pgbench > "$out/pgbench-init.txt" 2>&1
}
pgbench -S -M prepared -c "$connections" -j $threads -T "${duration%s}" pgbench > "$out/pgbench-select.txt" 2>&1
record pgbenchSelectOnlyTps "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out/pgbench-select.txt")"
# The chart read's SQL, as the application role under row-level security (bench/chart-read.sql), on the same patients.
sql -c "create schema if not exists bench; drop table if exists bench.patients;
        create table bench.patients (n int primary key, id bigint not null);
        drop table if exists bench.audit_entry; drop table if exists bench.audit_head;
        create table bench.audit_entry (like public.audit_entry including defaults including indexes);
        create table bench.audit_head as select * from public.audit_head;
        grant usage on schema bench to dossier_app; grant select on bench.patients to dossier_app;
        grant select, insert on bench.audit_entry to dossier_app; grant select, update on bench.audit_head to dossier_app" >/dev/null
awk '{print NR "\t" $1}' "$out/mine.txt" | sql -c "copy bench.patients from stdin" >/dev/null
PGUSER=dossier_app PGPASSWORD=$(cat "$data_dir/app-password") PGOPTIONS="-c dossier.facilities=1" \
  pgbench -n -M prepared -c "$connections" -j $threads -T "${duration%s}" -D staff="$physician" \
  -D patients="$(wc -l < "$out/mine.txt")" -f bench/chart-read.sql dossier > "$out/pgbench-chart.txt" 2>&1 || true
record pgbenchChartReadTps "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out/pgbench-chart.txt")"
record pgbenchChartReadLatencyMs "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out/pgbench-chart.txt")"
echo "results in $results"
