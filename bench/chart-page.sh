#!/usr/bin/env bash
# The chart page as a browser asks for it (issue 7): p50/p95/p99 with the 20,000-patient demo hospital, every check on.
# Results: target/bench/chart-page.json (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -ntp test -Dtest=ChartPageBenchmark -Dexcluded.groups=none -Dsurefire.failIfNoSpecifiedTests=false \
  | grep -A200 '^BENCHMARK chart page' | sed -n '1,60p' || true
cat target/bench/chart-page.json
