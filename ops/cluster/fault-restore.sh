#!/usr/bin/env bash
# Fault (d): backup, write more, restore to a point in the middle. Target: exactly the writes acknowledged before the
# point exist after the restore, none of those after it; the restored audit chain verifies; the old witnesses name
# what the restore lost. Bounded: a few minutes (restore of a small database, WAL replay, replicas re-cloned).
# Usage: ops/cluster/fault-restore.sh     (the cluster up: ops/cluster/up.sh)
set -euo pipefail
. "$(dirname "$0")/faultlib.sh"
N=${N:-40}
"$(dirname "$0")/backup.sh" incr
token=$(cached_token nurse); IFS=, read -r -a pts <<< "$(nurse_patients)"
write_batch() {  # file: writes N observations one after the other, keeps the ids of the 201s
  local i code body
  : > "$1"
  for i in $(seq 1 "$N"); do
    body=$(curl -s --max-time 10 -w ' %{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      "$BASE_URL/api/patients/${pts[$((i % ${#pts[@]}))]}/observations" -d "{\"kind\": \"SPO2\", \"value\": $((90 + i % 10))}")
    code=${body##* }
    [ "$code" = 201 ] && echo "${body% *}" | jq -r .id >> "$1"
  done
}
write_batch "$RUN_DIR/before.ids"
sleep 2
point=$(psql_su -tAc "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
head_at_point=$(psql_su -tAc "select last_seq from audit_head where id = 1")
sleep 2
write_batch "$RUN_DIR/after.ids"
head_before_restore=$(psql_su -tAc "select last_seq from audit_head where id = 1")
nb=$(wc -l < "$RUN_DIR/before.ids"); na=$(wc -l < "$RUN_DIR/after.ids")
log "$nb writes acknowledged before $point (audit head $head_at_point), $na after (audit head $head_before_restore)"
# every WAL segment up to now in the repository (pgBackRest check switches the segment and waits for its archive)
leader=$(leader_name); i=$(( ${leader#node} - 1 ))
runuser -u postgres -- pgbackrest --config="$CLUSTER_DIR/backup/pgbackrest.conf" --stanza="$STANZA" \
  --pg1-path="$CLUSTER_DIR/pg/$leader" --pg1-port="${PG_PORTS[$i]}" check
t0=$(date +%s)
"$(dirname "$0")/restore.sh" "$point"
took=$(( $(date +%s) - t0 ))
before_ids=$(paste -sd, "$RUN_DIR/before.ids"); after_ids=$(paste -sd, "$RUN_DIR/after.ids")
kept=$(psql_su -tAc "select count(*) from observation where id = any('{$before_ids}'::bigint[])")
leaked=$(psql_su -tAc "select count(*) from observation where id = any('{$after_ids}'::bigint[])")
head=$(psql_su -tAc "select last_seq from audit_head where id = 1")
[ "$nb" -gt 0 ] && [ "$kept" = "$nb" ] && check ok "writes before the point: $kept of $nb present" || check no "writes before the point: $kept of $nb present"
[ "$na" -gt 0 ] && [ "$leaked" = 0 ] && check ok "writes after the point: 0 of $na present" || check no "writes after the point: $leaked of $na present"
[ "$head" -ge "$head_at_point" ] && [ "$head" -lt "$head_before_restore" ] \
  && check ok "restored audit chain ends at entry $head (entry $head_at_point at the point, $head_before_restore before the restore)" \
  || check no "restored chain head $head (at the point $head_at_point, before the restore $head_before_restore)"
v=$(audit_verification)
[ "$(echo "$v" | jq -r .intact)" = true ] && check ok "restored audit chain verifies: $(echo "$v" | jq -r .entriesChecked) entries, $(echo "$v" | jq -r .checkpointsChecked) checkpoints" \
  || check no "restored audit chain: $(echo "$v" | jq -c '{firstBrokenSeq, problem}')"
report=$(ls -d "$CLUSTER_DIR"/restores/* | tail -1)/witness-report.txt
grep -q "lost by the restore" "$report" && check ok "the witnesses name what was lost: $(grep -h 'lost by the restore' "$report" | head -1 | sed 's/^ *//')" \
  || check no "no witness names the lost entries ($report)"
check ok "restore into a fresh cluster, replicas cloned and Dossier nodes back: ${took}s"
finish
