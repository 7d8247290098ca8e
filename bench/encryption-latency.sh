#!/usr/bin/env bash
# usage: latency.sh JAR DATA_DIR LABEL — serial requests (one connection), median and p90 of curl's time_total in ms:
# identity read (/api/patients/{id}, opens the sealed details), chart read, FHIR Patient read (physician's inpatients),
# name + birth date search (front desk). Run from the worktree (for bin/demo-totp's jar and psql).
# NAMES=file: the searches to run (a sealed registry cannot list them in SQL: take lat-<label>/names.txt of a run before V57).
set -euo pipefail
jar=$1; data=$2; label=$3; port=18391; n=${N:-300}
out=/tmp/enc-measure/lat-$label; mkdir -p $out
DOSSIER_DATA_DIR=$data DOSSIER_DEMO=false java -Xmx1g -jar $jar --server.port=$port --dossier.guard.threshold-scale=10000 \
  --logging.level.root=warn > $out/server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; do kill -0 $server; sleep 0.2; done
export PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$data/postgres/postmaster.pid") PGUSER=dossier PGDATABASE=dossier PGPASSWORD=$(cat "$data/postgres-password")
sql() { psql -qAtX -F $'\t' "$@"; }
token() {
  local code; code=$(java -cp $jar -Dloader.main=org.dossier.demo.DemoTotp org.springframework.boot.loader.launch.PropertiesLauncher "$1" | awk '/code/ {print $2}')
  curl -sf -X POST "http://127.0.0.1:$port/api/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"dossier-demo-2026\",\"code\":\"$code\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
pt=$(token physician); dt=$(token frontdesk)
physician=$(sql -c "select id from staff where username = 'physician'")
sql -c "select distinct m.patient_id from stay_movement m join staff_unit su on su.unit_id = m.unit_id
         where su.staff_id = $physician and m.to_at is null
           and not exists (select 1 from guard_canary c where c.patient_id = m.patient_id) order by 1" > $out/mine.txt
if [ -n "${NAMES:-}" ]; then
  # the identity is sealed since V57 (ADR 0046): the searches of a run on a database written in clear, on the same
  # deterministic demo hospital, are reused
  cp "$NAMES" $out/names.txt
else
sql -c "select substr(birth_family_name, 1, 4), birth_date from patient tablesample bernoulli (2) repeatable (7)
         where facility_id = 1 and status = 'ACTIVE' and birth_family_name ~ '^[A-Za-z]{4}'
           and not exists (select 1 from guard_canary c where c.patient_id = patient.id) limit $n" > $out/names.txt
fi
run() { # name token urls-file
  : > $out/$1.ms
  for i in 1 2; do # pass 1 warms up, pass 2 is measured
    : > $out/$1.ms
    while read -r url; do
      curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $2" "http://127.0.0.1:$port$url" >> $out/$1.ms
    done < $3
  done
  ok=$(grep -c '^200 ' $out/$1.ms || true)
  sort -k2 -n $out/$1.ms | awk -v name=$1 -v label=$label -v ok=$ok '{a[NR]=$2} END {printf "%s %s: n=%d ok=%d median=%.2f ms p90=%.2f ms\n", label, name, NR, ok, a[int(NR/2)+1]*1000, a[int(NR*0.9)]*1000}'
}
for r in 1 2 3 4 5 6 7 8; do cat $out/mine.txt; done | head -$n | awk '{print "/api/patients/" $1}' > $out/identity.urls
for r in 1 2 3 4 5 6 7 8; do cat $out/mine.txt; done | head -$n | awk '{print "/api/patients/" $1 "/chart"}' > $out/chart.urls
for r in 1 2 3 4 5 6 7 8; do cat $out/mine.txt; done | head -$n | awk '{print "/fhir/Patient/" $1}' > $out/fhir.urls
awk -F'\t' '{print "/api/patients?name=" $1 "&birthDate=" $2}' $out/names.txt > $out/search.urls
run identity "$pt" $out/identity.urls
run chart "$pt" $out/chart.urls
run fhir-read "$pt" $out/fhir.urls
run search "$dt" $out/search.urls
