# Shared by the fault tests (sourced): load in the background, what the database holds of it, PASS/FAIL lines.
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
load_secrets
RUN_DIR="$CLUSTER_DIR/runs/$(basename "$0" .sh)-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN_DIR"
FAIL=0; REPORT=()
check() { if [ "$1" = ok ]; then REPORT+=("ok    $2"); else REPORT+=("FAIL  $2"); FAIL=1; fi; }
finish() {
  local name; name=$(basename "$0" .sh)
  printf '%s\n' "${REPORT[@]}" | tee "$RUN_DIR/report.txt"
  local line="$( [ $FAIL = 0 ] && echo PASS || echo FAIL ) $name $(date -u +%FT%TZ) commit $(cd "$ROOT" && git rev-parse --short HEAD)"
  echo "$line" | tee -a "$RUN_DIR/report.txt"
  [ $FAIL = 0 ]
}

# The patients the demo nurse cares for (her unit's inpatients): she may write to them.
nurse_patients() {
  curl -s --max-time 10 -H "Authorization: Bearer $(cached_token nurse)" "$BASE_URL/api/inpatients" \
    | jq -r '[.[].patientId][0:8] | join(",")'
}

# start_load <seconds> <writers> <readers> [base url]: runs load.py in the background; LOAD_PID, LOAD_SUMMARY.
start_load() {
  local token patients
  token=$(cached_token nurse); patients=$(nurse_patients)
  [ -n "$patients" ] || die "the nurse has no inpatients to write to"
  LOAD_SUMMARY="$RUN_DIR/load-summary.json"
  python3 "$(dirname "${BASH_SOURCE[0]}")/load.py" --base "${4:-$BASE_URL}" --token "$token" --patients "$patients" \
    --duration "$1" --writers "${WRITERS:-$2}" --readers "${READERS:-$3}" --pause "${PAUSE:-0.05}" --stop-file "$RUN_DIR/stop" --out "$RUN_DIR/load.jsonl" > "$LOAD_SUMMARY" &
  LOAD_PID=$!
}

# Acknowledged writes (201: observations and notes) of the load that the database holds: prints "held acked".
acked_held() {
  local obs notes acked held=0
  obs=$(jq -r '.ackedIds | map(tostring) | join(",")' "$LOAD_SUMMARY")
  notes=$(jq -r '.ackedNoteIds | map(tostring) | join(",")' "$LOAD_SUMMARY")
  acked=$(jq -r '(.ackedIds | length) + (.ackedNoteIds | length)' "$LOAD_SUMMARY")
  [ "$acked" -gt 0 ] && held=$(psql_su -tAc "select (select count(*) from observation where id = any('{$obs}'::bigint[]))
                                                  + (select count(*) from clinical_note where id = any('{$notes}'::bigint[]))")
  echo "$held $acked"
}

# Records the load created (observations and notes by the nurse, in its window) against their audit entries
# (create Observation / create Note), patient by patient. A patient with more records than entries would hold a
# half-written record (data without its audit entry): must be none. More entries than records are attempts audited
# before their write failed (the audit entry is appended first: fail closed); at most the failed writes.
# Prints "records entries patients_with_a_record_unaudited".
written_vs_audited() {
  local t0; t0=$(jq -r .t0 "$LOAD_SUMMARY")  # nothing else writes as the nurse meanwhile: no upper bound
  psql_su -tAc "with r as (
      select patient_id, count(*) n from (
        select o.patient_id from observation o join staff s on s.id = o.recorded_by
         where s.username = 'nurse' and o.created_at >= to_timestamp($t0)
        union all
        select o.patient_id from clinical_note o join staff s on s.id = o.author_id
         where s.username = 'nurse' and o.created_at >= to_timestamp($t0)) x group by 1),
    e as (
      select patient_id, count(*) n from audit_entry where actor_username = 'nurse' and action = 'create'
         and resource_type in ('Observation', 'Note') and decision = 'ALLOW'
         and recorded_at >= to_timestamp($t0) group by 1)
    select coalesce((select sum(n) from r), 0) || ' ' || coalesce((select sum(n) from e), 0) || ' ' ||
           (select count(*) from r left join e using (patient_id) where r.n > coalesce(e.n, 0))"
}

# Seconds from an instant (epoch) to the first successful write that started after it, and the failed requests.
after_event() {  # epoch
  python3 - "$RUN_DIR/load.jsonl" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
t = float(sys.argv[2])
w_after = [r for r in recs if r["kind"] == "write" and r["status"] == 201 and r["start"] >= t]
r_after = [r for r in recs if r["kind"] == "read" and r["status"] == 200 and r["start"] >= t]
failed = [r for r in recs if (r["kind"] == "write" and r["status"] != 201) or (r["kind"] == "read" and r["status"] != 200)]
by = {}
for r in failed:
    k = f'{r["kind"]}:{r["status"]}'
    by[k] = by.get(k, 0) + 1
last_fail = max((r["end"] for r in failed), default=None)
print(json.dumps({
    "firstWriteAfter": round(min(r["end"] for r in w_after) - t, 2) if w_after else None,
    "firstReadAfter": round(min(r["end"] for r in r_after) - t, 2) if r_after else None,
    "failed": len(failed), "failedBy": by,
    "lastFailureAfter": round(last_fail - t, 2) if last_fail else None,
    "retryAfterOn503": sum(1 for r in failed if r["status"] == 503 and r.get("retryAfter")),
    "503s": sum(1 for r in failed if r["status"] == 503)}))
PY
}

# kill_pg_node <n>: the node's Patroni and PostgreSQL die at once (SIGKILL), as in a machine's crash.
kill_pg_node() {
  local n="$1" pm pids
  pm=$(head -1 "$CLUSTER_DIR/pg/node$n/postmaster.pid" 2>/dev/null || true)
  [ -f "$CLUSTER_DIR/pg/node$n.pid" ] && kill -KILL -- "-$(cat "$CLUSTER_DIR/pg/node$n.pid")" 2>/dev/null || true
  if [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null; then
    pids=$(ps -o pid= --ppid "$pm" || true)
    kill -KILL "$pm" $pids 2>/dev/null || true
  fi
  rm -f "$CLUSTER_DIR/pg/node$n.pid"
}
