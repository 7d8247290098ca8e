#!/usr/bin/env bash
# The benchmark (issue 9): generates the 1M-patient demo hospital if absent, measures the hot paths in process
# (relationship lookup, chart summary with and without the gateway, audit append and verification, exposure report),
# the chart page as the browser gets it (bench/chart-page.sh, 20,000-patient demo), then over HTTP under load with
# the ceilings of the same PostgreSQL (bench/http.sh), then against a plain HAPI FHIR JPA server in the same run
# (bench/compare.sh, 20,000 patients each side; BENCH_NO_PEER=1 skips it), then what encryption at rest costs: the
# same reads and searches against a build from before it, alternated (bench/encryption-cost.sh, 20,000 patients each
# side; BENCH_NO_ENCRYPTION_COST=1 skips it).
# Usage: bench/run.sh [patients]   (default 1000000; data in ./data-<patients>, results in target/bench/)
# Needs, beyond the build: wrk, pgbench, psql, curl (Debian: apt-get install wrk postgresql-client curl).
set -euo pipefail
cd "$(dirname "$0")/.."
patients=${1:-1000000}
data_dir="./data-$patients"
if [ ! -f "$data_dir/postgres/PG_VERSION" ]; then
  DOSSIER_DATA_DIR="$data_dir" bin/demo-generate "$patients"
fi
./mvnw -q -ntp test -Dtest=InProcessBenchmark -Dexcluded.groups=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.dataDir="$data_dir" | grep '^BENCHMARK' || true
cat target/bench/in-process.json
echo
bench/chart-page.sh
echo
./mvnw -q -ntp -DskipTests package
bench/http.sh "$data_dir"
[ -n "${BENCH_NO_PEER:-}" ] || bench/compare.sh 20000
[ -n "${BENCH_NO_ENCRYPTION_COST:-}" ] || bench/encryption-cost.sh
