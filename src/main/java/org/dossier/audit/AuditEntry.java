package org.dossier.audit;

/** An appended entry: its place in the chain and the hashes that link it. */
record AuditEntry(long seq, AuditRecord record, String prevHash, String hash) {
}
