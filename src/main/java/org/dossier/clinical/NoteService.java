package org.dossier.clinical;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.Section;
import org.dossier.access.PatientAccess;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.access.PatientFacts;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Clinical notes: draft, sign, and amend without ever losing the signed original. */
@Service
public class NoteService {

    static final int MAX_BODY = 100_000;

    private final ClinicalRepository repository;
    private final ClinicalAccess access;
    private final VersionLog versions;
    private final Clock clock;

    private final StayService stays;

    NoteService(ClinicalRepository repository, ClinicalAccess access, @Qualifier("clinicalVersions") VersionLog clinicalVersions,
                StayService stays, Clock clock) {
        this.stays = stays;
        this.repository = repository;
        this.access = access;
        this.versions = clinicalVersions;
        this.clock = clock;
    }

    @Transactional
    public Note draft(Actor actor, long patientId, Note.Kind kind, String title, String body, Long stayId) {
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Note, Role.PHYSICIAN, Role.NURSE);
        validate(kind, title, body);
        if (stayId != null && stays.read(actor, stayId).patientId() != patient.id()) {
            throw new InvalidInputException("stayId", "stay " + stayId + " is not a stay of this patient");
        }
        Instant now = clock.instant();
        long id = repository.insertNote(patient.facilityId(), patient.id(), stayId, kind, title.strip(), body, actor.staffId(), null, now);
        return logged(actor, id, "draft", now);
    }

    @Transactional
    public Note edit(Actor actor, long noteId, int expectedVersion, String title, String body) {
        Note note = ownDraft(actor, noteId, ClinicalAccess.UPDATE);
        validate(note.kind(), title, body);
        Instant now = clock.instant();
        if (!repository.updateNoteText(noteId, expectedVersion, title.strip(), body, now)) {
            throw ConflictException.stale(noteId, expectedVersion, note.version());
        }
        return logged(actor, noteId, "draft edited", now);
    }

    /** Signs a draft; signing an amendment marks the note it amends AMENDED. */
    @Transactional
    public Note sign(Actor actor, long noteId, int expectedVersion) {
        Note note = ownDraft(actor, noteId, ClinicalAccess.SIGN);
        Instant now = clock.instant();
        if (!repository.changeNoteStatus(noteId, expectedVersion, Note.Status.DRAFT, Note.Status.SIGNED, actor.staffId(), now)) {
            throw ConflictException.stale(noteId, expectedVersion, note.version());
        }
        if (note.amendsId() != null) {
            Note original = repository.note(note.amendsId()).orElseThrow();
            if (original.status() == Note.Status.SIGNED) {
                // The amended note changes too (SIGNED -> AMENDED): its own entry says so.
                access.forChanging(actor, original.patientId(), AuditResource.Note, original.id(), ClinicalAccess.STATUS,
                        ClinicalAccess.versions(original.version()) + "; SIGNED -> AMENDED by note " + noteId);
                repository.changeNoteStatus(original.id(), original.version(), Note.Status.SIGNED, Note.Status.AMENDED, null, now);
                logged(actor, original.id(), "amended by note " + noteId, now);
            }
        }
        return logged(actor, noteId, "signed", now);
    }

    /** Opens an amendment of a signed note: a new draft that points to it; the original stays as signed. */
    @Transactional
    public Note amend(Actor actor, long noteId, String title, String body, String reason) {
        actor.requireAnyRole("amend notes", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Note original = located(actor, noteId);
        access.forChanging(actor, original.patientId(), AuditResource.Note, noteId, ClinicalAccess.AMEND,
                "amended note at version " + original.version() + "; the amendment is a new note, version 1", Role.PHYSICIAN, Role.NURSE);
        if (original.status() != Note.Status.SIGNED && original.status() != Note.Status.AMENDED) {
            throw new ConflictException("note-not-signed", "Only a signed note is amended; a draft is edited directly");
        }
        validate(original.kind(), title, body);
        Instant now = clock.instant();
        long id = repository.insertNote(original.facilityId(), original.patientId(), original.stayId(), original.kind(), title.strip(),
                body, actor.staffId(), original.id(), now);
        return logged(actor, id, "amendment of note " + noteId + ": " + why, now);
    }

    /** Discards one's own draft; it stays in the history as entered in error. */
    @Transactional
    public Note discard(Actor actor, long noteId, int expectedVersion, String reason) {
        String why = Texts.requireReason(reason);
        Note note = ownDraft(actor, noteId, ClinicalAccess.ENTERED_IN_ERROR);
        Instant now = clock.instant();
        if (!repository.changeNoteStatus(noteId, expectedVersion, Note.Status.DRAFT, Note.Status.ENTERED_IN_ERROR, null, now)) {
            throw ConflictException.stale(noteId, expectedVersion, note.version());
        }
        return logged(actor, noteId, "discarded: " + why, now);
    }

    public Note read(Actor actor, long noteId) {
        Note note = located(actor, noteId);
        return access.visible(actor, note.patientId(), note, AuditResource.Note, noteId);
    }

    /** The note as the actor may name it, before any decision: another clinician's draft is answered as missing. */
    private Note located(Actor actor, long noteId) {
        Note note = repository.note(noteId).orElseThrow(() -> new NotFoundException("No note " + noteId));
        if (note.status() == Note.Status.DRAFT && note.authorId() != actor.staffId()) {
            // Another clinician's draft is work in progress, not yet part of the record.
            throw new NotFoundException("No note " + noteId);
        }
        return note;
    }

    public List<Note> ofPatient(Actor actor, long patientId, int limit) {
        return ofPatient(access.forReading(actor, patientId, AuditResource.Note), limit);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Note> ofPatient(PatientAccess granted, int limit) {
        long reader = granted.actor().staffId();
        return repository.notes(granted.require(Section.CLINICAL).patientId(), Math.min(Math.max(limit, 1), 200)).stream()
                .filter(n -> n.status() != Note.Status.DRAFT || n.authorId() == reader)
                .toList();
    }

    public List<VersionLog.Version<Note>> history(Actor actor, long noteId) {
        read(actor, noteId);
        return versions.history("note", noteId, Note.class);
    }

    /** The actor's own draft, the change decided and audited as {@code action}. */
    private Note ownDraft(Actor actor, long noteId, AuditAction action) {
        actor.requireAnyRole("write notes", Role.PHYSICIAN, Role.NURSE);
        Note note = located(actor, noteId);
        access.forChanging(actor, note.patientId(), AuditResource.Note, noteId, action, note.version(), Role.PHYSICIAN, Role.NURSE);
        if (note.status() != Note.Status.DRAFT) {
            throw new ConflictException("note-signed", "Note " + noteId + " is " + note.status()
                    + ": a signed note never changes; write an amendment instead");
        }
        if (note.authorId() != actor.staffId()) {
            throw new ForbiddenException("Only the author changes or signs a draft");
        }
        return note;
    }

    private Note logged(Actor actor, long id, String reason, Instant now) {
        Note note = repository.note(id).orElseThrow();
        versions.record("note", id, note.version(), note.facilityId(), note.patientId(), actor.staffId(), reason, note, now);
        return note;
    }

    private static void validate(Note.Kind kind, String title, String body) {
        List<FieldError> errors = new ArrayList<>();
        if (kind == null) {
            errors.add(new FieldError("kind", "is required: CONSULTATION, PROGRESS or DISCHARGE_SUMMARY"));
        }
        if (Texts.isBlank(title) || title.length() > 200) {
            errors.add(new FieldError("title", "is required (at most 200 characters)"));
        }
        if (Texts.isBlank(body)) {
            errors.add(new FieldError("body", "is required"));
        } else if (body.length() > MAX_BODY) {
            errors.add(new FieldError("body", "is longer than " + MAX_BODY + " characters; attach a document instead"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

}
