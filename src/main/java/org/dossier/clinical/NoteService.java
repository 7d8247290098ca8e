package org.dossier.clinical;

import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.PatientAccess;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Clinical notes: draft, sign, and amend without ever losing the signed original. */
@Service
public class NoteService extends VersionedRecords<Note> {

    static final int MAX_BODY = 100_000;

    private final ClinicalRepository repository;
    private final RecordLocator locator;
    private final StayService stays;

    NoteService(ClinicalRepository repository, ClinicalAccess access, RecordLocator locator,
                @Qualifier("clinicalVersions") VersionLog clinicalVersions, StayService stays, Clock clock) {
        super(RecordKind.NOTE, Note.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
        this.locator = locator;
        this.stays = stays;
    }

    @Transactional
    public Note draft(Actor actor, long patientId, Note.Kind kind, String title, String body, Long stayId) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        validate(kind, title, body);
        if (stayId != null && stays.read(actor, stayId).patientId() != granted.patientId()) {
            throw new InvalidInputException("stayId", "stay " + stayId + " is not a stay of this patient");
        }
        Instant now = clock.instant();
        long id = repository.insertNote(granted, stayId, kind, title.strip(), body, null, now);
        return logged(granted, id, "draft", now);
    }

    @Transactional
    public Note edit(Actor actor, long noteId, int expectedVersion, String title, String body) {
        Change<Note> draft = ownDraft(actor, noteId, ClinicalAccess.UPDATE);
        validate(draft.current().kind(), title, body);
        Instant now = clock.instant();
        draft.requireDone(repository.updateNoteText(draft.access(), noteId, expectedVersion, title.strip(), body, now), expectedVersion);
        return logged(draft.access(), noteId, "draft edited", now);
    }

    /** Signs a draft; signing an amendment marks the note it amends AMENDED. */
    @Transactional
    public Note sign(Actor actor, long noteId, int expectedVersion) {
        Change<Note> draft = ownDraft(actor, noteId, ClinicalAccess.SIGN);
        Instant now = clock.instant();
        draft.requireDone(repository.changeNoteStatus(draft.access(), noteId, expectedVersion, Note.Status.DRAFT, Note.Status.SIGNED,
                actor.staffId(), now), expectedVersion);
        if (draft.current().amendsId() != null) {
            // An amendment is of its own patient's note: the original is read under the same proof.
            Note original = found(draft.access(), draft.current().amendsId());
            if (original.status() == Note.Status.SIGNED) {
                // The amended note changes too (SIGNED -> AMENDED): its own entry says so.
                PatientAccess amended = access.forChanging(actor, original.patientId(), AuditResource.Note, original.id(),
                        ClinicalAccess.STATUS, ClinicalAccess.versions(original.version()) + "; SIGNED -> AMENDED by note " + noteId);
                repository.changeNoteStatus(amended, original.id(), original.version(), Note.Status.SIGNED, Note.Status.AMENDED, null, now);
                logged(amended, original.id(), "amended by note " + noteId, now);
            }
        }
        return logged(draft.access(), noteId, "signed", now);
    }

    /** Opens an amendment of a signed note: a new draft that points to it; the original stays as signed. */
    @Transactional
    public Note amend(Actor actor, long noteId, String title, String body, String reason) {
        actor.requireAnyRole("amend notes", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Change<Note> amended = changing(actor, noteId, ClinicalAccess.AMEND,
                version -> "amended note at version " + version + "; the amendment is a new note, version 1", Role.PHYSICIAN, Role.NURSE);
        PatientAccess granted = amended.access();
        Note original = amended.current();
        if (original.status() != Note.Status.SIGNED && original.status() != Note.Status.AMENDED) {
            throw new ConflictException("note-not-signed", "Only a signed note is amended; a draft is edited directly");
        }
        validate(original.kind(), title, body);
        Instant now = clock.instant();
        long id = repository.insertNote(granted, original.stayId(), original.kind(), title.strip(), body, original.id(), now);
        return logged(granted, id, "amendment of note " + noteId + ": " + why, now);
    }

    /** Discards one's own draft; it stays in the history as entered in error. */
    @Transactional
    public Note discard(Actor actor, long noteId, int expectedVersion, String reason) {
        String why = Texts.requireReason(reason);
        Change<Note> draft = ownDraft(actor, noteId, ClinicalAccess.ENTERED_IN_ERROR);
        Instant now = clock.instant();
        draft.requireDone(repository.changeNoteStatus(draft.access(), noteId, expectedVersion, Note.Status.DRAFT,
                Note.Status.ENTERED_IN_ERROR, null, now), expectedVersion);
        return logged(draft.access(), noteId, "discarded: " + why, now);
    }

    public Note read(Actor actor, long noteId) {
        return one(actor, noteId);
    }

    /** The note's patient as the actor may name it, before any decision: another clinician's draft is answered as missing. */
    @Override
    OptionalLong locate(Actor actor, long noteId) {
        return locator.patientOfNote(noteId, actor.staffId());
    }

    public List<Note> ofPatient(Actor actor, long patientId, int limit) {
        return ofPatient(forList(actor, patientId), limit);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Note> ofPatient(PatientAccess granted, int limit) {
        long reader = granted.actor().staffId();
        return repository.notes(granted, Math.min(Math.max(limit, 1), 200)).stream()
                .filter(n -> n.status() != Note.Status.DRAFT || n.authorId() == reader)
                .toList();
    }

    /** {@link #ofPatient(PatientAccess, int)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<List<Note>> ofPatient(PatientAccess granted, int limit, QueryBatch batch) {
        long reader = granted.actor().staffId();
        return batch.add(repository.notesQuery(granted, Math.min(Math.max(limit, 1), 200)))
                .map(found -> found.stream().filter(n -> n.status() != Note.Status.DRAFT || n.authorId() == reader).toList());
    }

    public List<VersionLog.Version<Note>> history(Actor actor, long noteId) {
        return versions(actor, noteId);
    }

    @Override
    Optional<Note> find(PatientAccess granted, long id) {
        return repository.note(granted, id);
    }

    /** The actor's own draft, the change decided and audited as {@code action}. */
    private Change<Note> ownDraft(Actor actor, long noteId, AuditAction action) {
        actor.requireAnyRole("write notes", Role.PHYSICIAN, Role.NURSE);
        Change<Note> draft = changing(actor, noteId, action, Role.PHYSICIAN, Role.NURSE);
        Note note = draft.current();
        if (note.status() != Note.Status.DRAFT) {
            throw new ConflictException("note-signed", "Note " + noteId + " is " + note.status()
                    + ": a signed note never changes; write an amendment instead");
        }
        if (note.authorId() != actor.staffId()) {
            throw new ForbiddenException("Only the author changes or signs a draft");
        }
        return draft;
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
