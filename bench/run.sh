#!/usr/bin/env bash
# The benchmark: generates the 1M-patient demo hospital if absent, then measures the hot paths.
# Usage: bench/run.sh [patients]   (default 1000000; data in ./data-<patients>, results in target/bench/)
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
