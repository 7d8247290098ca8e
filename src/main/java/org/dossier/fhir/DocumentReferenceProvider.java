package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ClinicalDocument;
import org.dossier.clinical.DocumentService;
import org.dossier.clinical.ReceivedRecordService;
import org.dossier.organization.Actor;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * DocumentReference: the documents filed here (numeric ids) and the clinical notes other systems sent, kept as sent
 * (ids {@code r<n>}, ADR 0026). A search by patient answers both under one gateway decision, never the same one twice.
 */
@Component
class DocumentReferenceProvider extends TypedProvider<DocumentReference> {
    private final DocumentService documents;
    private final ReceivedRecordService received;

    DocumentReferenceProvider(DocumentService documents, ReceivedRecordService received) {
        super(DocumentReference.class);
        this.documents = documents;
        this.received = received;
    }

    /** Read, and vread of the versions kept. */
    @Read(version = true)
    public DocumentReference read(@IdParam IdType id, HttpServletRequest request) {
        if (id.hasVersionIdPart()) {
            return Versions.version(history(id, request), id);
        }
        if (ReceivedProvider.isReceived(id)) {
            long n = ReceivedProvider.id(id);
            Actor actor = FhirActor.current(request);
            var r = received.readDated(actor, "DocumentReference", n);
            return Versions.changedAt(ReceivedProvider.served(r.record(), DocumentReference.class), r.recordedAt());
        }
        Actor actor = FhirActor.current(request);
        var d = documents.readDated(actor, FhirIds.id(id));
        return Versions.changedAt(document(d.record()), d.recordedAt());
    }

    @History
    public List<DocumentReference> history(@IdParam IdType id, HttpServletRequest request) {
        if (ReceivedProvider.isReceived(id)) {
            long n = ReceivedProvider.id(id);
            Actor actor = FhirActor.current(request);
            return received.history(actor, "DocumentReference", n).stream()
                    .map(v -> Versions.versioned(ReceivedProvider.served(v.record(), DocumentReference.class), v.version(), v.recordedAt())).toList();
        }
        Actor actor = FhirActor.current(request);
        return documents.history(actor, FhirIds.id(id)).stream()
                .map(v -> Versions.versioned(document(v.record()), v.version(), v.recordedAt())).toList();
    }

    /**
     * A patient's documents, filed here or sent by other systems, by {@code date} (with prefixes), {@code category},
     * {@code type} and {@code status}: one gateway decision for both.
     */
    @Search
    public List<DocumentReference> byPatient(@RequiredParam(name = DocumentReference.SP_PATIENT) ReferenceParam patient,
                                             @OptionalParam(name = DocumentReference.SP_DATE) DateAndListParam date,
                                             @OptionalParam(name = DocumentReference.SP_CATEGORY) TokenAndListParam category,
                                             @OptionalParam(name = DocumentReference.SP_TYPE) TokenAndListParam type,
                                             @OptionalParam(name = DocumentReference.SP_STATUS) TokenAndListParam status,
                                             HttpServletRequest request) {
        long id = PatientReference.patientOf(patient);
        FhirSearch.check(category, type, status);
        Actor actor = FhirActor.current(request);
        var both = received.documentsOf(actor, id);
        List<DocumentReference> all = new java.util.ArrayList<>(both.own().stream().map(DocumentReferenceProvider::document).toList());
        both.received().forEach(r -> all.add(ReceivedProvider.served(r, DocumentReference.class)));
        return all.stream().filter(r -> FhirSearch.matches(date, FhirSearch.Span.of(r.getDateElement()))
                && FhirSearch.matches(category, r.getCategory()) && FhirSearch.matches(type, List.of(r.getType()))
                && FhirSearch.matches(status, ReceivedProvider.status(r.getStatusElement()))).toList();
    }

    /**
     * Files a document (physician or nurse caring for the patient): the content inline as base64
     * ({@code content[0].attachment.data}), PDF or image, at most what the REST upload takes.
     */
    @Create
    public MethodOutcome create(@ResourceParam DocumentReference r, HttpServletRequest request) {
        long patient = PatientReference.subject(r.getSubject());
        Attachment a = r.getContentFirstRep().getAttachment();
        if (!a.hasData()) {
            throw new UnprocessableEntityException("content[0].attachment.data: the document itself is required, as base64");
        }
        String title = a.hasTitle() ? a.getTitle() : r.hasDescription() ? r.getDescription() : null;
        String kind = r.hasType() ? r.getType().hasText() ? r.getType().getText() : r.getType().getCodingFirstRep().getDisplay() : null;
        Actor actor = FhirActor.current(request);
        return Outcomes.created(document(documents.upload(actor, patient, title, kind,
                a.getContentType(), a.getData())));
    }

    static DocumentReference document(ClinicalDocument d) {
        DocumentReference r = Versions.identified(new DocumentReference(), d.id(), d.version());
        r.setStatus("CURRENT".equals(d.status()) ? Enumerations.DocumentReferenceStatus.CURRENT
                : Enumerations.DocumentReferenceStatus.ENTEREDINERROR);
        r.setType(new CodeableConcept().setText(d.kind()));
        r.setSubject(new Reference("Patient/" + d.patientId()));
        r.setDate(Date.from(d.createdAt()));
        r.addAuthor(new Reference("Practitioner/" + d.uploadedBy()));
        r.setDescription(d.title());
        r.addContent().setAttachment(new Attachment().setContentType(d.contentType()).setSize(d.sizeBytes()).setTitle(d.title())
                .setUrl("/api/documents/" + d.id() + "/content").setCreation(Date.from(d.createdAt())));
        return r;
    }
}
