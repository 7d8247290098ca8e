package org.dossier.clinical;

import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.access.PatientAccess;
import org.dossier.access.PatientFacts;
import org.dossier.access.Section;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
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
import java.util.Set;

/**
 * PDF and image documents. The type is decided by the bytes, not by the name or the declared type, so a
 * renamed executable is refused; the content is stored in PostgreSQL so that a backup includes it.
 */
@Service
public class DocumentService {

    public static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final Set<String> KINDS = Set.of("REPORT", "IMAGING", "LAB_RESULT", "LETTER", "CONSENT", "ID_DOCUMENT", "OTHER");

    private final ClinicalRepository repository;
    private final ClinicalAccess access;
    private final VersionLog versions;
    private final Clock clock;

    DocumentService(ClinicalRepository repository, ClinicalAccess access, @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        this.repository = repository;
        this.access = access;
        this.versions = clinicalVersions;
        this.clock = clock;
    }

    /** The content of a document with the type its bytes revealed. */
    public record Content(ClinicalDocument document, byte[] bytes) {
    }

    @Transactional
    public ClinicalDocument upload(Actor actor, long patientId, String title, String kind, String declaredType, byte[] content) {
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Document, Role.PHYSICIAN, Role.NURSE);
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
        long id = repository.insertDocument(patient.facilityId(), patient.id(), title.strip(), k, sniffed, content, sha256(content),
                actor.staffId(), now);
        ClinicalDocument created = repository.document(id).orElseThrow();
        versions.record("document", id, 1, created.facilityId(), created.patientId(), actor.staffId(), "uploaded", created, now);
        return created;
    }

    @Transactional
    public ClinicalDocument markEnteredInError(Actor actor, long documentId, int expectedVersion, String reason) {
        actor.requireAnyRole("correct documents", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        ClinicalDocument d = repository.document(documentId).orElseThrow(() -> new NotFoundException("No document " + documentId));
        access.forChanging(actor, d.patientId(), AuditResource.Document, documentId, ClinicalAccess.ENTERED_IN_ERROR, d.version(),
                Role.PHYSICIAN, Role.NURSE);
        if (!"CURRENT".equals(d.status())) {
            throw new ConflictException("document-in-error", "This document is already marked entered in error");
        }
        if (!repository.markDocumentInError(documentId, expectedVersion)) {
            throw ConflictException.stale(documentId, expectedVersion, d.version());
        }
        ClinicalDocument marked = repository.document(documentId).orElseThrow();
        versions.record("document", documentId, marked.version(), marked.facilityId(), marked.patientId(), actor.staffId(),
                "entered in error: " + why, marked, clock.instant());
        return marked;
    }

    public ClinicalDocument read(Actor actor, long documentId) {
        ClinicalDocument d = repository.document(documentId).orElseThrow(() -> new NotFoundException("No document " + documentId));
        return access.visible(actor, d.patientId(), d, AuditResource.Document, documentId);
    }

    /**
     * {@link #read}, with the time the record's current version was recorded (the Last-Modified of an answer showing it;
     * null when that version is not kept): one gateway decision, as a read.
     */
    public VersionLog.Dated<ClinicalDocument> readDated(Actor actor, long id) {
        ClinicalDocument document = read(actor, id);
        return new VersionLog.Dated<>(document, versions.recordedAt("document", document.id(), document.version()));
    }

    /** Every kept version of a document, newest first (its FHIR history): one gateway decision, as a read. */
    public List<VersionLog.Version<ClinicalDocument>> history(Actor actor, long documentId) {
        read(actor, documentId);
        return versions.history("document", documentId, ClinicalDocument.class);
    }

    public Content content(Actor actor, long documentId) {
        ClinicalDocument d = read(actor, documentId);
        return new Content(d, repository.documentContent(documentId));
    }

    public List<ClinicalDocument> ofPatient(Actor actor, long patientId) {
        access.forReading(actor, patientId, AuditResource.Document);
        return org.dossier.platform.RecordLimits.whole(repository.documents(patientId, org.dossier.platform.RecordLimits.fetch()), "documents");
    }

    /** Under an access already granted and audited (a chart tab). */
    public List<ClinicalDocument> ofPatient(PatientAccess granted) {
        return org.dossier.platform.RecordLimits.whole(repository.documents(granted.require(Section.CLINICAL).patientId(),
                org.dossier.platform.RecordLimits.fetch()), "documents");
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
