package org.dossier.access;

import org.dossier.organization.Actor;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * Permission to import records into one facility, issued by {@link Imports#begin} to an administrator.
 * Work done {@linkplain Imports#within within} the run acts as {@link #actor()}, which registers patients and
 * writes their history; the gateway lets it touch only the patients it registered itself, so an import can add new
 * records but never open, change or read back an existing one.
 */
public final class ImportRun {

    private final Actor importer;
    private final Actor actor;
    private final int facilityId;
    private final String source;
    private final Set<Long> patients = Collections.synchronizedSet(new HashSet<>());

    ImportRun(Actor importer, Actor actor, int facilityId, String source) {
        this.importer = importer;
        this.actor = actor;
        this.facilityId = facilityId;
        this.source = source;
    }

    /** The administrator who started the import. */
    public Actor importer() {
        return importer;
    }

    /** Who the import's writes are recorded as: the administrator, with the roles needed to register and record history. */
    public Actor actor() {
        return actor;
    }

    public int facilityId() {
        return facilityId;
    }

    /** What is being imported (a file name, a bundle id), as written in the audit trail. */
    public String source() {
        return source;
    }

    boolean registered(long patientId) {
        return patients.contains(patientId);
    }

    void adopt(long patientId) {
        patients.add(patientId);
    }
}
