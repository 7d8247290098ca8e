package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.RecordLimits;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * PDF and image documents. The type is decided by the bytes, not by the name or the declared type, so a
 * renamed executable is refused; the content is stored in PostgreSQL so that a backup includes it.
 */
@Service
public class DocumentService extends VersionedRecords<ClinicalDocument> {

    public static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final Set<String> KINDS = Set.of("REPORT", "IMAGING", "LAB_RESULT", "LETTER", "CONSENT", "ID_DOCUMENT", "OTHER");

    private final ClinicalRepository repository;

    DocumentService(ClinicalRepository repository, ClinicalAccess access, RecordLocator locator,
                    @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.DOCUMENT, ClinicalDocument.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
    }

    /** The content of a document with the type its bytes revealed. */
    public record Content(ClinicalDocument document, byte[] bytes) {
    }

    @Transactional
    public ClinicalDocument upload(Actor actor, long patientId, String title, String kind, String declaredType, byte[] content) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        List<FieldError> errors = new ArrayList<>();
        if (Texts.isBlank(title) || title.length() > 200) {
            errors.add(new FieldError("title", "is required (at most 200 characters)"));
        }
        String k = kind == null ? "OTHER" : kind.strip().toUpperCase();
        if (!KINDS.contains(k)) {
            errors.add(new FieldError("kind", "must be one of " + KINDS));
        }
        String sniffed = null;
        if (content == null || content.length == 0) {
            errors.add(new FieldError("file", "is empty"));
        } else if (content.length > MAX_BYTES) {
            errors.add(new FieldError("file", "is larger than " + (MAX_BYTES / 1024 / 1024) + " MB"));
        } else {
            sniffed = sniff(content);
            if (sniffed == null) {
                errors.add(new FieldError("file", "is neither a PDF nor a PNG or JPEG image"));
            } else if (declaredType != null && !declaredType.isBlank() && !declaredType.startsWith("application/octet-stream")
                    && !declaredType.toLowerCase().startsWith(sniffed)) {
                errors.add(new FieldError("file", "is declared as " + declaredType + " but its content is " + sniffed));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant now = clock.instant();
        long id = repository.insertDocument(granted, title.strip(), k, sniffed, content, sha256(content), now);
        return logged(granted, id, "uploaded", now);
    }

    @Transactional
    public ClinicalDocument markEnteredInError(Actor actor, long documentId, int expectedVersion, String reason) {
        return enteredInError(actor, documentId, expectedVersion, reason, d -> "CURRENT".equals(d.status()), repository::markDocumentInError);
    }

    public ClinicalDocument read(Actor actor, long documentId) {
        return one(actor, documentId);
    }

    /**
     * {@link #read}, with the time the record's current version was recorded (the Last-Modified of an answer showing it;
     * null when that version is not kept): one gateway decision, as a read.
     */
    public VersionLog.Dated<ClinicalDocument> readDated(Actor actor, long id) {
        return dated(actor, id);
    }

    /** Every kept version of a document, newest first (its FHIR history): one gateway decision, as a read. */
    public List<VersionLog.Version<ClinicalDocument>> history(Actor actor, long documentId) {
        return versions(actor, documentId);
    }

    public Content content(Actor actor, long documentId) {
        PatientAccess granted = forRecord(actor, documentId);
        return new Content(found(granted, documentId), repository.documentContent(granted, documentId).orElseThrow(() -> missing(documentId)));
    }

    /** Releases a document to the patient (ADR 0044): a physician of the patient's care, audited; the portal then lists it. */
    @Transactional
    public ClinicalDocument release(Actor actor, long documentId) {
        return release(actor, documentId, d -> "CURRENT".equals(d.status()), repository::release);
    }

    /** The documents released to the patient (at most 200, newest first), under an access already granted and audited. */
    public List<ClinicalDocument> released(PatientAccess granted) {
        return repository.releasedDocuments(granted.require(Section.CLINICAL), null, 200);
    }

    /** Which of the patient's documents were released to them (the chart marks them). */
    public Set<Long> releasedIds(PatientAccess granted) {
        return repository.releasedIds(granted.require(Section.CLINICAL), RecordKind.DOCUMENT);
    }

    /**
     * A released document's content, for the patient (ADR 0044): the gateway decides about the document's patient as for any
     * read (the patient themself, PATIENT_SELF; another patient's record is answered as missing and audited), then only a
     * document released to them is found: an unreleased one is missing, whatever its id.
     */
    public Content releasedContent(Actor actor, long documentId) {
        PatientAccess granted = forRecord(actor, documentId);
        ClinicalDocument document = repository.releasedDocuments(granted.require(Section.CLINICAL), documentId, 1).stream().findFirst()
                .orElseThrow(() -> missing(documentId));
        return new Content(document, repository.documentContent(granted, documentId).orElseThrow(() -> missing(documentId)));
    }

    public List<ClinicalDocument> ofPatient(Actor actor, long patientId) {
        return ofPatient(forList(actor, patientId));
    }

    /** Under an access already granted and audited (a chart tab). */
    public List<ClinicalDocument> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(repository.documents(granted.require(Section.CLINICAL), RecordLimits.fetch()), "documents");
    }

    @Override
    Optional<ClinicalDocument> find(PatientAccess granted, long id) {
        return repository.document(granted, id);
    }

    /** The media type that the first bytes prove, or null. */
    static String sniff(byte[] b) {
        if (startsWith(b, new byte[]{'%', 'P', 'D', 'F', '-'})) {
            return "application/pdf";
        }
        if (startsWith(b, new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
            return "image/png";
        }
        if (startsWith(b, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return "image/jpeg";
        }
        return null;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
