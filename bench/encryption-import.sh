#!/usr/bin/env bash
# The import of the shared Synthea set (../shared/data/synthea, 42 bundles) with and without encryption at rest (issue 22,
# item 4): each jar starts on a fresh 2,000-patient demo hospital in a throwaway data directory, then bin/fhir-import
# sends the set as an administrator; prints the entries, the seconds and the entries/s of each run.
# Usage: bench/encryption-import.sh BEFORE_JAR AFTER_JAR [ROUNDS]   (rounds alternate before, after; default 2)
# Needs: java, curl, python3, oathtool-free TOTP (bin/demo-totp).
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1; after=$2; rounds=${3:-2}
set_dir=../shared/data/synthea
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run() {
  local jar=$1 label=$2 dir port pid token start end out
  dir=$(mktemp -d)/data; port=$(free_port)
  DOSSIER_DATA_DIR=$dir java -Xmx2g -jar "$jar" --server.port="$port" --dossier.demo.enabled=true --dossier.demo.patients=2000 \
    > "$dir.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break; sleep 1; done
  token=$(curl -sf -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/auth/token" -d "{\"username\":\"admin\",\
\"password\":\"dossier-demo-2026\",\"code\":\"$(bin/demo-totp admin | awk '/code/ {print $2}')\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  start=$(date +%s%N)
  out=$(DOSSIER_URL="http://127.0.0.1:$port" DOSSIER_TOKEN=$token bin/fhir-import --facility 1 "$set_dir" 2>&1 | tail -1)
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$(dirname "$dir")" "$dir-keys" "$dir-audit" 2>/dev/null || true
  echo "$label: $(( (end - start) / 1000000 )) ms, load $(cut -d' ' -f1 /proc/loadavg): $out"
}
for i in $(seq 1 "$rounds"); do
  run "$before" "before-$i"
  run "$after" "after-$i"
done
