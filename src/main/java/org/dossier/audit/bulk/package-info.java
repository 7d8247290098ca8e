/** Writes a synthetic history of reads into the trail, chained and signed as live entries are, for benchmark data (bench/run.sh) and the trail's tests. */
@org.springframework.modulith.NamedInterface("bulk")
package org.dossier.audit.bulk;
