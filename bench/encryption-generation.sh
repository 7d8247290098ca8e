#!/usr/bin/env bash
# usage: bench/encryption-generation.sh JAR LABEL RUNS — generates the 20,000-patient demo hospital into a throwaway data dir
# (under /tmp/enc-measure) and prints the loader lines (the registry's "Patients loaded: … (their keys …, sealing …)", the
# clinical phase's "in N ms", the whole "20000 patients in N ms, their care in N ms"); run two jars interleaved
# (docs/security/encryption.md, "Demo generation and import with every slice sealed").
set -u
mkdir -p /tmp/enc-measure
jar=$1; label=$2; runs=${3:-3}
for i in $(seq 1 $runs); do
  d=/tmp/enc-measure/data-$label-$i; rm -rf $d $d-keys $d-audit
  DOSSIER_DATA_DIR=$d java -Xmx2g -jar $jar --dossier.demo.enabled=true --dossier.demo.patients=20000 \
    --dossier.demo.exit-after-load=true --spring.main.web-application-type=none --dossier.db.embedded.shared-buffers=256MB 2>&1 \
    | grep -o "Patients loaded: .*\|Clinical records loaded: .*\|Demo hospital loaded: .*" | head -3 | sed "s/^/$label run $i: /"
  rm -rf $d $d-keys $d-audit
done
