#!/usr/bin/env bash
# Dossier against a plain HAPI FHIR JPA server, in one run (issue 21). Starts Dossier on a demo hospital of its own
# (target/dossier.jar, every check on, the guard's thresholds × 10,000 as bench/http.sh does) and the peer
# (bench/peer.sh: HAPI's starter defaults, no authorization, no audit, its own PostgreSQL) loaded with the same patients,
# then drives them ALTERNATELY (Dossier, HAPI, Dossier, HAPI…) with the same requests, after a warm-up of each:
#   FHIR GET Patient/{id}; Patient?family=<4 letters>&birthdate=<date>; POST Patient; the import of the Synthea set.
# For each: throughput at saturation (wrk, 32 connections), latency at a fixed offered rate of half the weaker side's
# saturation (open loop: bench/peer/tools/OpenLoop.java), CPU per request of each side's JVM and PostgreSQL processes
# (/proc/<pid>/stat), and Dossier ÷ HAPI. Both servers stay up; only one is driven at a time.
# Usage: bench/compare.sh [patients]   (default 20000). Results: target/bench/compare.json, table on stdout.
# Environment: COMPARE_ROUNDS (2), COMPARE_DURATION (15s, saturation), COMPARE_OPEN_SECONDS (12), COMPARE_WARMUP (15s),
# COMPARE_FRESH=1 (new data on both sides; by default both are kept from the last run of the same size, since loading
# the peer takes minutes), SYNTHEA_DIR (default ../shared/data/synthea).
# Needs: wrk, psql, curl, python3, java.
set -euo pipefail
cd "$(dirname "$0")/.."
patients=${1:-20000}
rounds=${COMPARE_ROUNDS:-2}
duration=${COMPARE_DURATION:-15s}
open_seconds=${COMPARE_OPEN_SECONDS:-12}
warmup=${COMPARE_WARMUP:-15s}
connections=32
threads=2
out=target/bench/compare
ddir=$out/dossier-$patients
export PEER_DIR=$out/peer-$patients
mkdir -p "$out/raw"
for tool in wrk psql curl python3 java; do
  command -v "$tool" >/dev/null || { echo "bench/compare.sh needs $tool" >&2; exit 2; }
done
[ -f target/dossier.jar ] || ./mvnw -q -ntp -DskipTests package
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
clk=$(getconf CLK_TCK)
: > "$out/runs.jsonl"
echo "compare: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/context.txt"

# --- data: a demo hospital for Dossier, the same patients for the peer --------------------------------------------
# Kept between runs (the peer's load is the slow part); COMPARE_FRESH=1 starts both over. Creates and imports of
# earlier runs stay in both, alike on both sides.
bench/peer.sh stop >/dev/null
if [ -n "${COMPARE_FRESH:-}" ] || [ ! -f "$ddir/postgres/PG_VERSION" ] || [ ! -f "$out/patients-$patients.tsv" ]; then
  rm -rf "$ddir" "$ddir-keys" "$ddir-audit" "$PEER_DIR/postgres" "$PEER_DIR/server.port" "$out/patients-$patients.tsv"
fi
dport=$(free_port)
DOSSIER_DATA_DIR="$ddir" DOSSIER_DEMO_PATIENTS="$patients" DOSSIER_PROFILE=development java -jar target/dossier.jar \
  --server.port="$dport" --dossier.guard.threshold-scale=10000 --logging.level.root=warn \
  --logging.level.dossier.security=warn > "$out/dossier.log" 2>&1 &
dpid=$!
trap 'kill $dpid 2>/dev/null || true; wait $dpid 2>/dev/null || true; bench/peer.sh stop >/dev/null' EXIT
start=$(date +%s)
until curl -sf "http://127.0.0.1:$dport/actuator/health" 2>/dev/null | grep -q '"UP"'; do
  kill -0 $dpid 2>/dev/null || { echo "Dossier stopped; see $out/dossier.log" >&2; exit 1; }
  sleep 0.5
done
echo "Dossier up in $(( $(date +%s) - start )) s (generation of the demo included on a first run)"
dsql() {
  PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$ddir/postgres/postmaster.pid") PGUSER=dossier PGDATABASE=dossier \
    PGPASSWORD=$(cat "$ddir/postgres-password") psql -qAtX -v ON_ERROR_STOP=1 -F $'\t' "$@"
}
# The patients both sides are searched for: synthesized (the demo's identities are sealed since issue 22, so they cannot
# be read out of Dossier's database), loaded into the peer here and imported into Dossier below, the same people on both
# sides. Dossier also keeps its demo hospital (its physician reads their own inpatients), so it holds twice as many
# patients as the peer: its indexes are the larger ones.
[ -f "$out/patients-$patients.tsv" ] || python3 bench/peer/tools/post.py synthesize "$patients" 21 > "$out/patients-$patients.tsv"

PEER_PATIENTS_TSV="$out/patients-$patients.tsv" bench/peer.sh start "$(wc -l < "$out/patients-$patients.tsv")" | tee "$out/peer-start.txt"
# shellcheck disable=SC1091
. "$PEER_DIR/peer.env"
psql_peer() { PGHOST=127.0.0.1 PGPORT=$PEER_PG_PORT PGUSER=hapi PGPASSWORD=hapi psql -qAtX -d hapi "$@"; }

# --- the same requests for both ------------------------------------------------------------------------------------
token() {
  local code
  code=$(java -cp target/dossier.jar -Dloader.main=org.dossier.demo.DemoTotp org.springframework.boot.loader.launch.PropertiesLauncher "$1" \
    | awk '/code/ {print $2}')
  curl -sf -X POST "http://127.0.0.1:$dport/api/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"dossier-demo-2026\",\"code\":\"$code\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
physician_token=$(token physician)
desk_token=$(token frontdesk)
admin_token=$(token admin)
[ -n "$physician_token" ] && [ -n "$desk_token" ] && [ -n "$admin_token" ] || { echo "no demo token" >&2; exit 1; }
if [ ! -f "$ddir/synthesized-imported" ]; then
  echo "importing the $patients synthesized patients into Dossier (the administrator's import, facility 1)"
  python3 bench/peer/tools/post.py patients "http://127.0.0.1:$dport/fhir" "$out/patients-$patients.tsv" \
    --token "$admin_token" --header "X-Dossier-Facility: 1" && touch "$ddir/synthesized-imported"
fi
physician=$(dsql -c "select id from staff where username = 'physician'")
# Reads: the physician's own inpatients on Dossier (what bench/http.sh reads), as many random patients on the peer.
dsql -c "select distinct m.patient_id from stay_movement m join staff_unit su on su.unit_id = m.unit_id
         where su.staff_id = $physician and m.to_at is null
           and not exists (select 1 from guard_canary c where c.patient_id = m.patient_id) order by 1" \
  | awk '{print "GET\t/fhir/Patient/" $1 "\t"}' > "$out/dossier-read.req"
psql_peer -c "select res_id from hfj_resource where res_type = 'Patient' order by random() limit $(wc -l < "$out/dossier-read.req")" \
  | awk '{print "GET\t/fhir/Patient/" $1 "\t"}' > "$out/hapi-read.req"
# Searches: the same lines on both sides, every synthesized patient, in a random order. Each
# side's runs go on through the file, so HAPI's 60-second cache of search results (a starter default) seldom applies.
# (four letters or more: Dossier's bounded search refuses a shorter prefix, 400, as a desk's search would be)
awk -F'\t' 'length($2) >= 4 {print "GET\t/fhir/Patient?family=" substr($2, 1, 4) "&birthdate=" $4 "\t"}' "$out/patients-$patients.tsv" \
  | shuf --random-source=<(yes) > "$out/search.req"
cp "$out/search.req" "$out/dossier-search.req"; cp "$out/search.req" "$out/hapi-search.req"
python3 bench/peer/tools/post.py creates 60000 "$(date +%s)" > "$out/dossier-create.req" # new people on every run
cp "$out/dossier-create.req" "$out/hapi-create.req"
mkdir -p "$out/synthea-warmup"
find "$out/synthea-warmup" -type l -delete
syn=${SYNTHEA_DIR:-../shared/data/synthea}
[ -d "$syn" ] || syn=/work/shared/data/synthea
for f in "$syn"/hospitalInformation*.json "$syn"/practitionerInformation*.json $(ls "$syn"/*_*.json | head -3); do
  ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$out/synthea-warmup/"
done

# --- measuring -----------------------------------------------------------------------------------------------------
side_url() { [ "$1" = dossier ] && echo "http://127.0.0.1:$dport" || echo "$PEER_URL"; }
side_token() { # side, operation
  [ "$1" = hapi ] && { echo none; return; }
  case $2 in read) echo "$physician_token" ;; import) echo "$admin_token" ;; *) echo "$desk_token" ;; esac
}
cpu_ticks() { # side: "<JVM ticks> <PostgreSQL ticks>" (user + system; the postmaster's reaped children included)
  local jvm pm pg c
  if [ "$1" = dossier ]; then jvm=$dpid; pm=$(head -1 "$ddir/postgres/postmaster.pid"); else jvm=$PEER_PID; pm=$(head -1 "$PEER_PG_DATA/postmaster.pid"); fi
  pg=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do pg=$((pg + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$(awk '{print $14 + $15}' "/proc/$jvm/stat") $pg"
}
declare -A offset
requests_from() { # side, operation: the request file from the first line not sent yet (one-shot creates are never repeated)
  local file="$out/$1-$2.req" n
  n=$(wc -l < "$file")
  local skip=$(( ${offset[$1-$2]:-0} % n ))
  { tail -n +$((skip + 1)) "$file"; head -n "$skip" "$file"; } > "$out/$1-$2.now.req"
  echo "$out/$1-$2.now.req"
}
record() { # side, operation, round, mode, RESULT json, cpu before, cpu after
  local before=($6) after=($7)
  python3 - "$1" "$2" "$3" "$4" "$5" "$((after[0] - before[0]))" "$((after[1] - before[1]))" "$clk" >> "$out/runs.jsonl" <<'PY'
import json, sys
side, op, rnd, mode, result, jvm, pg, clk = sys.argv[1:]
r = json.loads(result)
n = r.get("requests", r.get("entries", 0)) or 1
r.update(side=side, op=op, round=rnd, mode=mode,
         jvmCpuMsPerRequest=round(int(jvm) * 1000 / int(clk) / n, 3), pgCpuMsPerRequest=round(int(pg) * 1000 / int(clk) / n, 3))
print(json.dumps(r))
PY
}
saturate() { # side, operation, round ("warmup" is not recorded)
  local file before after result
  file=$(requests_from "$1" "$2")
  before=$(cpu_ticks "$1")
  WRK_REQUESTS="$file" WRK_TOKEN=$(side_token "$1" "$2") WRK_THREADS=$threads wrk -t$threads -c$connections \
    -d"$([ "$3" = warmup ] && echo "$warmup" || echo "$duration")" --latency -s bench/wrk/replay.lua "$(side_url "$1")" \
    > "$out/raw/$1-$2-$3-saturation.txt"
  after=$(cpu_ticks "$1")
  result=$(sed -n 's/^RESULT //p' "$out/raw/$1-$2-$3-saturation.txt")
  offset[$1-$2]=$(( ${offset[$1-$2]:-0} + $(echo "$result" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])') + connections * 2 ))
  [ "$3" = warmup ] || record "$1" "$2" "$3" saturation "$result" "$before" "$after"
  last_rate=$(echo "$result" | python3 -c 'import json,sys; print(json.load(sys.stdin)["perSecond"])')
}
open_loop() { # side, operation, round, rate
  local file before after result
  file=$(requests_from "$1" "$2")
  before=$(cpu_ticks "$1")
  java bench/peer/tools/OpenLoop.java "$(side_url "$1")" "$file" "$(side_token "$1" "$2")" "$4" "$open_seconds" \
    > "$out/raw/$1-$2-$3-open.txt"
  after=$(cpu_ticks "$1")
  result=$(sed -n 's/^RESULT //p' "$out/raw/$1-$2-$3-open.txt")
  offset[$1-$2]=$(( ${offset[$1-$2]:-0} + $4 * open_seconds ))
  record "$1" "$2" "$3" open "$result" "$before" "$after"
}
import_set() { # side, round, folder
  local before after result extra=()
  [ "$1" = dossier ] && extra=(--token "$admin_token" --header "X-Dossier-Facility: 1")
  before=$(cpu_ticks "$1")
  result=$(python3 bench/peer/tools/post.py bundles "$(side_url "$1")/fhir" "$3" "${extra[@]}" 2> "$out/raw/$1-import-$2.err")
  after=$(cpu_ticks "$1")
  [ "$2" = warmup ] || record "$1" import "$2" saturation "$result" "$before" "$after"
  echo "$1 import ($2): $result"
}

echo "warm-up: each operation on each side, $warmup (unrecorded)"
for op in read search create; do
  for side in dossier hapi; do saturate "$side" "$op" warmup; done
done
for side in dossier hapi; do import_set "$side" warmup "$out/synthea-warmup"; done
for round in $(seq 1 "$rounds"); do
  for op in read search create; do
    saturate dossier "$op" "$round"; d=$last_rate
    saturate hapi "$op" "$round"; h=$last_rate
    rate=$(python3 -c "print(round(min($d, $h) / 2))")
    echo "round $round $op: saturation Dossier $d/s, HAPI $h/s; open loop at $rate/s"
    open_loop dossier "$op" "$round" "$rate"; open_loop hapi "$op" "$round" "$rate"
  done
  for side in dossier hapi; do import_set "$side" "$round" "$syn"; done
done

# --- summary -------------------------------------------------------------------------------------------------------
python3 - "$out/runs.jsonl" "$out/context.txt" "$out/peer-start.txt" > target/bench/compare.json <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
context = open(sys.argv[2]).read().strip()
load = [l for l in open(sys.argv[3]) if l.startswith("{")]
med = lambda xs: round(statistics.median(xs), 2) if xs else None
summary = {"context": context, "peerLoad": json.loads(load[-1]) if load else None, "operations": {}}
for op in ["read", "search", "create", "import"]:
    entry = {}
    for side in ["dossier", "hapi"]:
        sat = [r for r in runs if r["side"] == side and r["op"] == op and r["mode"] == "saturation"]
        opn = [r for r in runs if r["side"] == side and r["op"] == op and r["mode"] == "open"]
        rate = "entriesPerSecond" if op == "import" else "perSecond"
        entry[side] = {"saturationPerSecond": [r[rate] for r in sat], "saturationP99ms": [r.get("p99ms") for r in sat],
                       "errors": sum(r.get("errors", r.get("failedFiles", 0)) for r in sat + opn),
                       "openRate": [r["offeredPerSecond"] for r in opn], "openP50ms": [r["p50ms"] for r in opn],
                       "openP99ms": [r["p99ms"] for r in opn],
                       "jvmCpuMsPerRequest": med([r["jvmCpuMsPerRequest"] for r in sat]),
                       "pgCpuMsPerRequest": med([r["pgCpuMsPerRequest"] for r in sat])}
    d, h = med(entry["dossier"]["saturationPerSecond"]), med(entry["hapi"]["saturationPerSecond"])
    entry["ratioDossierOverHapi"] = round(d / h, 2) if d and h else None
    summary["operations"][op] = entry
print(json.dumps(summary, indent=1))
PY
python3 - target/bench/compare.json <<'PY'
import json, statistics, sys
s = json.load(open(sys.argv[1]))
f = lambda xs: "–".join(f"{x:,.0f}" for x in sorted(set(xs))) if xs else "-"
g = lambda xs: "–".join(f"{x:.1f}" for x in sorted(xs)) if xs else "-"
print(s["context"])
print(f"{'operation':9} | {'Dossier /s':>13} | {'HAPI /s':>13} | {'D÷H':>5} | {'open rate':>9} | {'Dossier p50/p99 ms':>22} | {'HAPI p50/p99 ms':>22} | CPU ms/req D jvm+pg | H jvm+pg")
for op, e in s["operations"].items():
    d, h = e["dossier"], e["hapi"]
    print(f"{op:9} | {f(d['saturationPerSecond']):>13} | {f(h['saturationPerSecond']):>13} | {e['ratioDossierOverHapi'] or '-':>5} | "
          f"{f(d['openRate']):>9} | {g(d['openP50ms']) + ' / ' + g(d['openP99ms']):>22} | {g(h['openP50ms']) + ' / ' + g(h['openP99ms']):>22} | "
          f"{d['jvmCpuMsPerRequest']} + {d['pgCpuMsPerRequest']} | {h['jvmCpuMsPerRequest']} + {h['pgCpuMsPerRequest']}"
          + (f"  (errors D {d['errors']}, H {h['errors']})" if d['errors'] or h['errors'] else ""))
PY
echo "results: target/bench/compare.json (each run: $out/runs.jsonl, raw output: $out/raw/)"
