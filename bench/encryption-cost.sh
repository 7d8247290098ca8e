#!/usr/bin/env bash
# What encryption at rest costs over HTTP (issue 22, item 5): the current tree against a baseline built from a git ref
# without it, in one run, with the same wrk scripts at 32 connections. The baseline (default: 670d099, the last main
# without any of issue 22 but with the chart's one-round-trip sections, so that only encryption differs; the parent of
# 14b28ea, the first key-management commit, lacks that later work and made the sealed tree look faster) is built in a
# temporary git worktree, removed afterwards. Each jar
# generates its own 20,000-patient demo hospital in its own data directory and runs with every check on (the guard's
# thresholds × 10,000, as bench/http.sh does); both servers stay up, only one is driven at a time: a warm-up of every
# operation on each side, then rounds alternated before, after, before, after…:
#   chart read REST (GET /api/patients/{id}/chart) and FHIR GET Patient/{id}, the physician's own inpatients;
#   bounded patient search, the front desk's 4 letters of a family name + birth date, REST (/api/patients?name=&birthDate=)
#   and FHIR (Patient?family=&birthdate=).
# The sealed registry cannot list names in SQL: the searches are listed from the baseline's database (in clear) and
# sent to both; the demo is deterministic (same seed), and the script checks that both sides find the same patients.
# For each run: requests/s, p99, errors, CPU per request of the server's JVM and its PostgreSQL (/proc), load average.
# Usage: bench/encryption-cost.sh [baseline ref]   (default 670d099). Results: target/bench/encryption-cost.json,
# table on stdout; each run in target/bench/encryption/runs.jsonl.
# Environment: ENC_ROUNDS (4), ENC_DURATION (20s), ENC_WARMUP (40s, per operation and side), ENC_PATIENTS (20000),
# ENC_KEEP_DATA=1 (keep the two data directories, e.g. for bench/encryption-latency.sh; removed by default),
# ENC_REUSE_DATA=1 (start on the data directories a run with ENC_KEEP_DATA left, instead of generating them again),
# ENC_OPS (a subset of "chart fhir-read search fhir-search").
# Needs: wrk, psql, curl, python3, java, git.
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-670d099}
rounds=${ENC_ROUNDS:-4}
duration=${ENC_DURATION:-20s}
warmup=${ENC_WARMUP:-40s}
patients=${ENC_PATIENTS:-20000}
connections=32
threads=2
out=target/bench/encryption
mkdir -p "$out/raw"
for tool in wrk psql curl python3 java git; do
  command -v "$tool" >/dev/null || { echo "bench/encryption-cost.sh needs $tool" >&2; exit 2; }
done
[ -f target/dossier.jar ] || ./mvnw -q -ntp -DskipTests package
clk=$(getconf CLK_TCK)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- the baseline jar, built once per commit in a throwaway worktree ------------------------------------------------
base=$(git rev-parse --short "$ref")
before_jar="$out/before-$base.jar"
if [ ! -f "$before_jar" ]; then
  tree=$(mktemp -d)/baseline
  git worktree add --detach "$tree" "$base" >/dev/null
  ( cd "$tree" && { ./mvnw -o -q -ntp -DskipTests package || ./mvnw -q -ntp -DskipTests package; } ) > "$out/baseline-build.log" 2>&1 \
    || { git worktree remove --force "$tree"; echo "the baseline $base did not build: $out/baseline-build.log" >&2; exit 1; }
  cp "$tree/target/dossier.jar" "$before_jar"
  git worktree remove --force "$tree"
  rmdir "$(dirname "$tree")" 2>/dev/null || true
fi
cp target/dossier.jar "$out/after.jar"
echo "encryption cost: $(date -u +%FT%TZ), before $base, after $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes'), load: $(cut -d' ' -f1-3 /proc/loadavg)" \
  | tee "$out/context.txt"

# --- two servers, each on a demo hospital it generated ---------------------------------------------------------------
declare -A pid port jar
jar[before]=$before_jar
jar[after]=$out/after.jar
data() { [ "$1" = before ] && echo "$out/data-before-$base" || echo "$out/data-after"; }
stop_all() {
  for side in before after; do
    [ -n "${pid[$side]:-}" ] && { kill "${pid[$side]}" 2>/dev/null || true; wait "${pid[$side]}" 2>/dev/null || true; }
  done
  [ -n "${ENC_KEEP_DATA:-}" ] || for side in before after; do rm -rf "$(data $side)" "$(data $side)-keys" "$(data $side)-audit"; done
}
trap stop_all EXIT
for side in before after; do
  [ -n "${ENC_REUSE_DATA:-}" ] && [ -f "$(data $side)/postgres/PG_VERSION" ] || rm -rf "$(data $side)" "$(data $side)-keys" "$(data $side)-audit"
  port[$side]=$(free_port)
  started=$(date +%s)
  DOSSIER_DATA_DIR="$(data $side)" DOSSIER_DEMO_PATIENTS="$patients" DOSSIER_PROFILE=development java -jar "${jar[$side]}" \
    --server.port="${port[$side]}" --dossier.guard.threshold-scale=10000 --dossier.db.embedded.shared-buffers=1GB \
    --logging.level.root=warn --logging.level.dossier.security=warn > "$out/$side.log" 2>&1 &
  pid[$side]=$!
  until curl -sf "http://127.0.0.1:${port[$side]}/actuator/health" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "${pid[$side]}" 2>/dev/null || { echo "the $side server stopped; see $out/$side.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$side up in $(( $(date +%s) - started )) s$([ -n "${ENC_REUSE_DATA:-}" ] || echo ", demo generation of $patients patients included")" | tee -a "$out/context.txt"
done
sql() { # side, psql arguments
  local d; d=$(data "$1"); shift
  PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$d/postgres/postmaster.pid") PGUSER=dossier PGDATABASE=dossier \
    PGPASSWORD=$(cat "$d/postgres-password") psql -qAtX -v ON_ERROR_STOP=1 -F $'\t' "$@"
}
token() { # side, account (each side's own jar gives the demo authenticator's code)
  local code
  code=$(java -cp "${jar[$1]}" -Dloader.main=org.dossier.demo.DemoTotp org.springframework.boot.loader.launch.PropertiesLauncher "$2" \
    | awk '/code/ {print $2}')
  curl -sf -X POST "http://127.0.0.1:${port[$1]}/api/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"dossier-demo-2026\",\"code\":\"$code\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
declare -A physician_token desk_token
for side in before after; do # as bench/http.sh does: the load's accounts active, their guard counting from now
  sql $side -c "update staff set status = 'ACTIVE' where username in ('physician', 'frontdesk') and status = 'FROZEN';
                insert into guard_state (staff_id, counting_since) select id, now() from staff where username in ('physician', 'frontdesk')
                on conflict (staff_id) do update set counting_since = excluded.counting_since" >/dev/null
done
for side in before after; do
  physician_token[$side]=$(token $side physician)
  desk_token[$side]=$(token $side frontdesk)
  [ -n "${physician_token[$side]}" ] && [ -n "${desk_token[$side]}" ] || { echo "no demo token from the $side server" >&2; exit 1; }
done

# --- the requests: what bench/http.sh sends ----------------------------------------------------------------------------
for side in before after; do
  physician=$(sql $side -c "select id from staff where username = 'physician'")
  sql $side -c "select distinct m.patient_id from stay_movement m join staff_unit su on su.unit_id = m.unit_id
                 where su.staff_id = $physician and m.to_at is null
                   and not exists (select 1 from guard_canary c where c.patient_id = m.patient_id) order by 1" > "$out/$side-mine.txt"
  [ -s "$out/$side-mine.txt" ] || { echo "the physician has no inpatients on the $side side" >&2; exit 1; }
  awk '{print "GET\t/api/patients/" $1 "/chart\t"}' "$out/$side-mine.txt" > "$out/$side-chart.req"
  awk '{print "GET\t/fhir/Patient/" $1 "\t"}' "$out/$side-mine.txt" > "$out/$side-fhir-read.req"
done
# Searches (never of a canary patient: showing one freezes the account at once), listed in clear on the baseline. The
# two builds' demos may seed different canaries, and a search shows every patient of the same 4 letters and birth date:
# no search is made on the birth date of a canary of either side (the same ids are the same people on both sides).
canaries=$( { sql before -c "select patient_id from guard_canary"; sql after -c "select patient_id from guard_canary"; } | sort -un | paste -sd,)
sql before -c "select substr(birth_family_name, 1, 4), birth_date from patient tablesample bernoulli (2) repeatable (7)
                where facility_id = 1 and status = 'ACTIVE' and birth_family_name ~ '^[A-Za-z]{4}'
                  and birth_date not in (select birth_date from patient where id in (${canaries:-0}))
                  and not exists (select 1 from guard_canary c where c.patient_id = patient.id) limit 20000" > "$out/names.txt"
for side in before after; do
  awk -F'\t' '{print "GET\t/api/patients?name=" $1 "&birthDate=" $2 "\t"}' "$out/names.txt" > "$out/$side-search.req"
  awk -F'\t' '{print "GET\t/fhir/Patient?family=" $1 "&birthdate=" $2 "\t"}' "$out/names.txt" > "$out/$side-fhir-search.req"
done
cmp -s "$out/before-mine.txt" "$out/after-mine.txt" && same_ids=yes || same_ids=no
same=0; checked=0
while IFS=$'\t' read -r name born; do
  b=$(curl -sf -H "Authorization: Bearer ${desk_token[before]}" -H 'Accept: application/json' \
        "http://127.0.0.1:${port[before]}/fhir/Patient?family=$name&birthdate=$born" | grep -o '"resourceType":"Patient"' | wc -l)
  a=$(curl -sf -H "Authorization: Bearer ${desk_token[after]}" -H 'Accept: application/json' \
        "http://127.0.0.1:${port[after]}/fhir/Patient?family=$name&birthdate=$born" | grep -o '"resourceType":"Patient"' | wc -l)
  checked=$((checked + 1)); [ "$b" = "$a" ] && [ "$b" -gt 0 ] && same=$((same + 1))
done < <(head -20 "$out/names.txt")
echo "same inpatient ids on both sides: $same_ids ($(wc -l < "$out/before-mine.txt") patients); searches finding the same patients on both sides: $same of $checked; $(wc -l < "$out/names.txt") searches" \
  | tee -a "$out/context.txt"

# --- measuring ---------------------------------------------------------------------------------------------------------
cpu_ticks() { # side: "<JVM ticks> <PostgreSQL ticks>" (user + system; the postmaster's reaped children included)
  local pm pg c
  pm=$(head -1 "$(data "$1")/postgres/postmaster.pid")
  pg=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do pg=$((pg + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$(awk '{print $14 + $15}' "/proc/${pid[$1]}/stat") $pg"
}
side_token() { case $2 in chart | fhir-read) echo "${physician_token[$1]}" ;; *) echo "${desk_token[$1]}" ;; esac; }
: > "$out/runs.jsonl"
drive() { # side, operation, round ("warmup" is not recorded)
  local before after result load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  before=$(cpu_ticks "$1")
  WRK_REQUESTS="$out/$1-$2.req" WRK_TOKEN=$(side_token "$1" "$2") WRK_THREADS=$threads wrk -t$threads -c$connections \
    -d"$([ "$3" = warmup ] && echo "$warmup" || echo "$duration")" --latency -s bench/wrk/replay.lua "http://127.0.0.1:${port[$1]}" \
    > "$out/raw/$1-$2-$3.txt"
  after=$(cpu_ticks "$1")
  [ "$3" = warmup ] && return 0
  result=$(sed -n 's/^RESULT //p' "$out/raw/$1-$2-$3.txt")
  python3 - "$1" "$2" "$3" "$result" "$before" "$after" "$clk" "$load1" "$(cut -d' ' -f1 /proc/loadavg)" >> "$out/runs.jsonl" <<'PY'
import json, sys
side, op, rnd, result, before, after, clk, load_start, load_end = sys.argv[1:]
r = json.loads(result)
n = r["requests"] or 1
(jvm0, pg0), (jvm1, pg1) = map(int, before.split()), map(int, after.split())
r.update(side=side, op=op, round=int(rnd), load=[float(load_start), float(load_end)],
         jvmCpuMsPerRequest=round((jvm1 - jvm0) * 1000 / int(clk) / n, 3), pgCpuMsPerRequest=round((pg1 - pg0) * 1000 / int(clk) / n, 3))
print(json.dumps(r))
PY
  tail -1 "$out/runs.jsonl" | python3 -c 'import json, sys; r = json.load(sys.stdin); print("round %(round)s %(op)-11s %(side)-6s: %(perSecond)7.1f/s p99 %(p99ms)6.1f ms errors %(errors)s CPU/request %(jvmCpuMsPerRequest)s + %(pgCpuMsPerRequest)s ms" % r, "load", r["load"][0])'
}
ops=${ENC_OPS:-chart fhir-read search fhir-search}
echo "warm-up: each operation on each side, $warmup (unrecorded)"
for op in $ops; do for side in before after; do drive $side "$op" warmup; done; done
# Odd rounds drive the baseline first, even rounds the current tree first: a drift during the run (the JIT still
# compiling, the machine's load) does not favour one side.
for round in $(seq 1 "$rounds"); do
  order="before after"; [ $((round % 2)) = 0 ] && order="after before"
  for op in $ops; do for side in $order; do drive $side "$op" "$round"; done; done
done
for side in before after; do
  echo "$side: front desk $(sql $side -c "select status from staff where username = 'frontdesk'"), physician $(sql $side -c "select status from staff where username = 'physician'")" \
    | tee -a "$out/context.txt"
done
echo "end: $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/context.txt"

# --- summary: medians per operation and side, after ÷ before --------------------------------------------------------------
python3 - "$out/runs.jsonl" "$out/context.txt" > target/bench/encryption-cost.json <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = lambda xs: round(statistics.median(xs), 3) if xs else None
summary = {"context": open(sys.argv[2]).read().strip(), "operations": {}}
for op in [o for o in ["chart", "fhir-read", "search", "fhir-search"] if any(r["op"] == o for r in runs)]:
    e = {}
    for side in ["before", "after"]:
        rs = [r for r in runs if r["side"] == side and r["op"] == op]
        e[side] = {"perSecond": [r["perSecond"] for r in rs], "p99ms": [r["p99ms"] for r in rs],
                   "errors": sum(r["errors"] for r in rs), "medianPerSecond": med([r["perSecond"] for r in rs]),
                   "medianP99ms": med([r["p99ms"] for r in rs]),
                   "jvmCpuMsPerRequest": med([r["jvmCpuMsPerRequest"] for r in rs]),
                   "pgCpuMsPerRequest": med([r["pgCpuMsPerRequest"] for r in rs]),
                   "load": [x for r in rs for x in r["load"]]}
    b, a = e["before"], e["after"]
    if b["medianPerSecond"] and a["medianPerSecond"]:
        e["throughputAfterOverBefore"] = round(a["medianPerSecond"] / b["medianPerSecond"], 3)
        e["p99AfterOverBefore"] = round(a["medianP99ms"] / b["medianP99ms"], 3)
        e["cpuAfterOverBefore"] = round((a["jvmCpuMsPerRequest"] + a["pgCpuMsPerRequest"])
                                        / (b["jvmCpuMsPerRequest"] + b["pgCpuMsPerRequest"]), 3)
        # pairwise: each round's after ÷ the same round's before
        pairs = [x / y for x, y in zip(a["perSecond"], b["perSecond"])]
        e["throughputRatioPerRound"] = [round(p, 3) for p in pairs]
    summary["operations"][op] = e
print(json.dumps(summary, indent=1))
PY
python3 - target/bench/encryption-cost.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["context"])
print(f"{'operation':12} | {'before /s (median)':>18} | {'after /s (median)':>17} | {'after÷before':>12} | {'per round':>17} | {'p99 ms before/after':>19} | CPU ms/req before → after (JVM + PG) | errors")
for op, e in s["operations"].items():
    b, a = e["before"], e["after"]
    print(f"{op:12} | {b['medianPerSecond']:>18} | {a['medianPerSecond']:>17} | {e.get('throughputAfterOverBefore', '-'):>12} | "
          f"{' '.join(map(str, e.get('throughputRatioPerRound', []))):>17} | {str(b['medianP99ms']) + ' / ' + str(a['medianP99ms']):>19} | "
          f"{b['jvmCpuMsPerRequest']} + {b['pgCpuMsPerRequest']} → {a['jvmCpuMsPerRequest']} + {a['pgCpuMsPerRequest']} | {b['errors']}, {a['errors']}")
PY
echo "results: target/bench/encryption-cost.json (each run: $out/runs.jsonl, wrk's output: $out/raw/)"
