package org.dossier.clinical.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.ClinicalDocument;
import org.dossier.clinical.DocumentService;
import org.dossier.clinical.Note;
import org.dossier.clinical.NoteService;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.Problem;
import org.dossier.clinical.ProblemService;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.VersionLog;
import org.dossier.platform.Versions;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;

@RestController
@RequestMapping("/api")
@Tag(name = "Clinical record", description = "Notes, allergies, problems, observations and documents")
class ClinicalController {

    private final NoteService notes;
    private final AllergyService allergies;
    private final ProblemService problems;
    private final ObservationService observations;
    private final DocumentService documents;

    ClinicalController(NoteService notes, AllergyService allergies, ProblemService problems, ObservationService observations,
                       DocumentService documents) {
        this.notes = notes;
        this.allergies = allergies;
        this.problems = problems;
        this.observations = observations;
        this.documents = documents;
    }

    record NewNote(Note.Kind kind, String title, String body, Long stayId) {
    }

    record NoteEdit(Integer version, String title, String body) {
    }

    record Amendment(String title, String body, String reason) {
    }

    record VersionAndReason(Integer version, String reason) {
    }

    record AllergyChange(Integer version, String reason, AllergyService.AllergyInput allergy) {
    }

    record ProblemChange(Integer version, String reason, ProblemService.ProblemInput problem) {
    }

    // ---------------------------------------------------------------- notes

    @PostMapping("/patients/{id}/notes")
    @Operation(summary = "Start a note (draft)")
    ResponseEntity<Note> draft(Actor actor, @PathVariable long id, @RequestBody NewNote body) {
        Note n = notes.draft(actor, id, body.kind(), body.title(), body.body(), body.stayId());
        return ResponseEntity.created(URI.create("/api/notes/" + n.id())).body(n);
    }

    @GetMapping("/patients/{id}/notes")
    List<Note> notesOf(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "50") int limit) {
        return notes.ofPatient(actor, id, limit);
    }

    @GetMapping("/notes/{id}")
    Note note(Actor actor, @PathVariable long id) {
        return notes.read(actor, id);
    }

    @PutMapping("/notes/{id}")
    @Operation(summary = "Edit one's own draft")
    Note edit(Actor actor, @PathVariable long id, @RequestBody NoteEdit body) {
        return notes.edit(actor, id, Versions.required(body.version()), body.title(), body.body());
    }

    @PostMapping("/notes/{id}/sign")
    @Operation(summary = "Sign one's own draft: it never changes again")
    Note sign(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return notes.sign(actor, id, Versions.required(body.version()));
    }

    @PostMapping("/notes/{id}/amendments")
    @Operation(summary = "Correct a signed note with an amendment (a new draft that points to it)")
    ResponseEntity<Note> amend(Actor actor, @PathVariable long id, @RequestBody Amendment body) {
        Note n = notes.amend(actor, id, body.title(), body.body(), body.reason());
        return ResponseEntity.created(URI.create("/api/notes/" + n.id())).body(n);
    }

    @PostMapping("/notes/{id}/discard")
    Note discard(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return notes.discard(actor, id, Versions.required(body.version()), body.reason());
    }

    @GetMapping("/notes/{id}/history")
    List<VersionLog.Version<Note>> noteHistory(Actor actor, @PathVariable long id) {
        return notes.history(actor, id);
    }

    // ---------------------------------------------------------------- allergies

    @PostMapping("/patients/{id}/allergies")
    ResponseEntity<Allergy> recordAllergy(Actor actor, @PathVariable long id, @RequestBody AllergyService.AllergyInput body) {
        return ResponseEntity.status(201).body(allergies.record(actor, id, body));
    }

    @GetMapping("/patients/{id}/allergies")
    List<Allergy> allergiesOf(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "false") boolean activeOnly) {
        return allergies.ofPatient(actor, id, activeOnly);
    }

    @PutMapping("/allergies/{id}")
    Allergy changeAllergy(Actor actor, @PathVariable long id, @RequestBody AllergyChange body) {
        return allergies.change(actor, id, Versions.required(body.version()), required(body.allergy(), "allergy"), body.reason());
    }

    @GetMapping("/allergies/{id}/history")
    List<VersionLog.Version<Allergy>> allergyHistory(Actor actor, @PathVariable long id) {
        return allergies.history(actor, id);
    }

    // ---------------------------------------------------------------- problems

    @PostMapping("/patients/{id}/problems")
    ResponseEntity<Problem> recordProblem(Actor actor, @PathVariable long id, @RequestBody ProblemService.ProblemInput body) {
        return ResponseEntity.status(201).body(problems.record(actor, id, body));
    }

    @GetMapping("/patients/{id}/problems")
    List<Problem> problemsOf(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "false") boolean activeOnly) {
        return problems.ofPatient(actor, id, activeOnly);
    }

    @PutMapping("/problems/{id}")
    Problem changeProblem(Actor actor, @PathVariable long id, @RequestBody ProblemChange body) {
        return problems.change(actor, id, Versions.required(body.version()), required(body.problem(), "problem"), body.reason());
    }

    @GetMapping("/problems/{id}/history")
    List<VersionLog.Version<Problem>> problemHistory(Actor actor, @PathVariable long id) {
        return problems.history(actor, id);
    }

    // ---------------------------------------------------------------- observations

    @PostMapping("/patients/{id}/observations")
    ResponseEntity<Observation> recordObservation(Actor actor, @PathVariable long id, @RequestBody ObservationService.ObservationInput body) {
        return ResponseEntity.status(201).body(observations.record(actor, id, body));
    }

    @GetMapping("/patients/{id}/observations")
    @Operation(summary = "A series of observations (at most 500, newest first)")
    List<Observation> observationsOf(Actor actor, @PathVariable long id, @RequestParam(required = false) ObservationKind kind,
                                     @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to) {
        return observations.series(actor, id, kind, from, to);
    }

    @PostMapping("/observations/{id}/entered-in-error")
    Observation observationInError(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return observations.markEnteredInError(actor, id, Versions.required(body.version()), body.reason());
    }

    @PostMapping("/observations/{id}/release")
    @Operation(summary = "Release a result to the patient, who then sees it in the portal (a physician; ADR 0044)")
    Observation releaseObservation(Actor actor, @PathVariable long id) {
        return observations.release(actor, id);
    }

    @GetMapping("/observations/{id}/history")
    List<VersionLog.Version<Observation>> observationHistory(Actor actor, @PathVariable long id) {
        return observations.history(actor, id);
    }

    // ---------------------------------------------------------------- documents

    @PostMapping(path = "/patients/{id}/documents", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Upload a PDF, PNG or JPEG (at most 10 MB)")
    ResponseEntity<ClinicalDocument> upload(Actor actor, @PathVariable long id, @RequestPart(name = "file", required = false) MultipartFile file,
                                            @RequestParam(required = false) String title, @RequestParam(required = false) String kind)
            throws IOException {
        if (file == null) {
            throw new InvalidInputException("file", "attach the document as the multipart part 'file'");
        }
        ClinicalDocument d = documents.upload(actor, id, title, kind, file.getContentType(), file.getBytes());
        return ResponseEntity.created(URI.create("/api/documents/" + d.id())).body(d);
    }

    @GetMapping("/patients/{id}/documents")
    List<ClinicalDocument> documentsOf(Actor actor, @PathVariable long id) {
        return documents.ofPatient(actor, id);
    }

    @GetMapping("/documents/{id}")
    ClinicalDocument document(Actor actor, @PathVariable long id) {
        return documents.read(actor, id);
    }

    @GetMapping("/documents/{id}/content")
    ResponseEntity<byte[]> content(Actor actor, @PathVariable long id) {
        DocumentService.Content c = documents.content(actor, id);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(c.document().contentType()))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("document-" + id + extension(c.document().contentType())).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .body(c.bytes());
    }

    @PostMapping("/documents/{id}/release")
    @Operation(summary = "Release a document to the patient, who then can download it in the portal (a physician; ADR 0044)")
    ClinicalDocument releaseDocument(Actor actor, @PathVariable long id) {
        return documents.release(actor, id);
    }

    @PostMapping("/documents/{id}/entered-in-error")
    ClinicalDocument documentInError(Actor actor, @PathVariable long id, @RequestBody VersionAndReason body) {
        return documents.markEnteredInError(actor, id, Versions.required(body.version()), body.reason());
    }

    private static String extension(String contentType) {
        return switch (contentType) {
            case "application/pdf" -> ".pdf";
            case "image/png" -> ".png";
            default -> ".jpg";
        };
    }


    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }
}
