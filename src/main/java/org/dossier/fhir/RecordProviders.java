package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.billing.BillingService;
import org.dossier.billing.Invoice;
import org.dossier.care.CareTeamMember;
import org.dossier.care.CareTeamService;
import org.dossier.clinical.ClinicalDocument;
import org.dossier.clinical.DocumentService;
import org.dossier.clinical.ReceivedRecordService;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.patient.PatientData;
import org.dossier.patient.PatientService;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Money;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Care teams, documents, coverage, invoices and practitioners' roles: each read through the owning module's service,
 * so the gateway decides and audits as for the REST API (a care team is part of the encounters section, coverage of
 * the coverage section, invoices of billing).
 */
final class RecordProviders {

    static final String NIR_OID = "urn:oid:1.2.250.1.213.1.4.8";
    static final String AMO_FUND = "https://dossier.example/fhir/sid/amo-fund";
    static final String CCAM = "https://dossier.example/fhir/CodeSystem/ccam";
    static final String NGAP = "https://dossier.example/fhir/CodeSystem/ngap";
    static final String V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

    private RecordProviders() {
    }

    @Component
    static class CareTeamProvider implements IResourceProvider {
        private final CareTeamService teams;
        private final ReceivedRecordService received;
        private final org.dossier.chart.ChartService chart;
        private final FhirCalls calls;

        CareTeamProvider(CareTeamService teams, ReceivedRecordService received, org.dossier.chart.ChartService chart, FhirCalls calls) {
            this.teams = teams;
            this.received = received;
            this.chart = chart;
            this.calls = calls;
        }

        @Override
        public Class<CareTeam> getResourceType() {
            return CareTeam.class;
        }

        /**
         * A patient's care team has the patient's id: CareTeam/123 is the team of Patient/123. A care team another system
         * sent is kept as sent (ADR 0026), with an id {@code r<n>}, and has its versions.
         */
        @Read(version = true)
        public CareTeam read(@IdParam IdType id, HttpServletRequest request) {
            if (ReceivedProviders.isReceived(id)) {
                if (id.hasVersionIdPart()) {
                    return ClinicalProviders.version(history(id, request), id);
                }
                long n = ReceivedProviders.id(id);
                return calls.as(request, actor -> {
                    var r = received.readDated(actor, "CareTeam", n);
                    return ClinicalProviders.changedAt(ReceivedProviders.served(r.record(), CareTeam.class), r.recordedAt());
                });
            }
            if (id.hasVersionIdPart()) {
                throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException("A patient's care team is read as it is now: "
                        + "CareTeam/" + id.getIdPart() + " has no versions");
            }
            return calls.as(request, actor -> {
                long patient = FhirCalls.id(id);
                return careTeam(patient, teams.team(actor, patient));
            });
        }

        /** The versions of a care team another system sent (the team of a patient here is read as it is now). */
        @History
        public List<CareTeam> history(@IdParam IdType id, HttpServletRequest request) {
            long n = ReceivedProviders.id(id);
            return calls.as(request, actor -> received.history(actor, "CareTeam", n).stream().map(v -> {
                CareTeam r = ReceivedProviders.served(v.record(), CareTeam.class);
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /**
         * The patient's team here and, for who may read the clinical record, the care teams other systems sent, by
         * {@code date} (their period), {@code category} and {@code status}: one gateway decision (the chart opened once).
         */
        @Search
        public List<CareTeam> byPatient(@RequiredParam(name = CareTeam.SP_PATIENT) ReferenceParam patient,
                                        @OptionalParam(name = CareTeam.SP_DATE) DateAndListParam date,
                                        @OptionalParam(name = CareTeam.SP_CATEGORY) TokenAndListParam category,
                                        @OptionalParam(name = CareTeam.SP_STATUS) TokenAndListParam status,
                                        HttpServletRequest request) {
            long id = ClinicalProviders.patientOf(patient);
            FhirSearch.check(category, status);
            return calls.as(request, actor -> {
                if (date == null && category == null && status == null && !org.dossier.chart.ChartService.sectionsOf(actor)
                        .contains(org.dossier.access.Section.CLINICAL)) {
                    return List.of(careTeam(id, teams.team(actor, id))); // who reads no clinical record: the team here, as ever
                }
                org.dossier.access.PatientAccess access = chart.open(actor, id);
                List<CareTeam> all = new java.util.ArrayList<>();
                if (access.permits(org.dossier.access.Section.ENCOUNTERS)) {
                    all.add(careTeam(id, teams.team(access)));
                }
                if (access.permits(org.dossier.access.Section.CLINICAL)) {
                    received.ofPatient(access, List.of("CareTeam")).forEach(r -> all.add(ReceivedProviders.served(r, CareTeam.class)));
                }
                return all.stream().filter(r -> FhirSearch.matches(date, r.hasPeriod() ? FhirSearch.Span.of(r.getPeriod()) : null)
                        && FhirSearch.matches(category, r.getCategory())
                        && FhirSearch.matches(status, ReceivedProviders.status(r.getStatusElement()))).toList();
            });
        }

        static CareTeam careTeam(long patientId, List<CareTeamMember> members) {
            CareTeam r = new CareTeam();
            r.setId(Long.toString(patientId));
            r.setStatus(CareTeam.CareTeamStatus.ACTIVE);
            r.setSubject(new Reference("Patient/" + patientId));
            r.setName("Care team");
            for (CareTeamMember m : members) {
                Period period = new Period().setStart(Date.from(m.periodStart()));
                if (m.periodEnd() != null) {
                    period.setEnd(Date.from(m.periodEnd()));
                }
                r.addParticipant().setMember(new Reference("Practitioner/" + m.staffId())).addRole(new CodeableConcept().setText(m.role()))
                        .setPeriod(period);
            }
            return r;
        }
    }

    /**
     * DocumentReference: the documents filed here (numeric ids) and the clinical notes other systems sent, kept as sent
     * (ids {@code r<n>}, ADR 0026). A search by patient answers both under one gateway decision, never the same one twice.
     */
    @Component
    static class DocumentReferenceProvider implements IResourceProvider {
        private final DocumentService documents;
        private final ReceivedRecordService received;
        private final FhirCalls calls;

        DocumentReferenceProvider(DocumentService documents, ReceivedRecordService received, FhirCalls calls) {
            this.documents = documents;
            this.received = received;
            this.calls = calls;
        }

        @Override
        public Class<DocumentReference> getResourceType() {
            return DocumentReference.class;
        }

        /** Read, and vread of the versions kept. */
        @Read(version = true)
        public DocumentReference read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return ClinicalProviders.version(history(id, request), id);
            }
            if (ReceivedProviders.isReceived(id)) {
                long n = ReceivedProviders.id(id);
                return calls.as(request, actor -> {
                    var r = received.readDated(actor, "DocumentReference", n);
                    return ClinicalProviders.changedAt(ReceivedProviders.served(r.record(), DocumentReference.class), r.recordedAt());
                });
            }
            return calls.as(request, actor -> {
                var d = documents.readDated(actor, FhirCalls.id(id));
                return ClinicalProviders.changedAt(document(d.record()), d.recordedAt());
            });
        }

        @History
        public List<DocumentReference> history(@IdParam IdType id, HttpServletRequest request) {
            if (ReceivedProviders.isReceived(id)) {
                long n = ReceivedProviders.id(id);
                return calls.as(request, actor -> received.history(actor, "DocumentReference", n).stream().map(v -> {
                    DocumentReference r = ReceivedProviders.served(v.record(), DocumentReference.class);
                    r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(Date.from(v.recordedAt()));
                    return r;
                }).toList());
            }
            return calls.as(request, actor -> documents.history(actor, FhirCalls.id(id)).stream().map(v -> {
                DocumentReference r = document(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(Date.from(v.recordedAt()));
                return r;
            }).toList());
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
            long id = ClinicalProviders.patientOf(patient);
            FhirSearch.check(category, type, status);
            return calls.as(request, actor -> {
                var both = received.documentsOf(actor, id);
                List<DocumentReference> all = new java.util.ArrayList<>(both.own().stream().map(DocumentReferenceProvider::document).toList());
                both.received().forEach(r -> all.add(ReceivedProviders.served(r, DocumentReference.class)));
                return all.stream().filter(r -> FhirSearch.matches(date, FhirSearch.Span.of(r.getDateElement()))
                        && FhirSearch.matches(category, r.getCategory()) && FhirSearch.matches(type, List.of(r.getType()))
                        && FhirSearch.matches(status, ReceivedProviders.status(r.getStatusElement()))).toList();
            });
        }

        /**
         * Files a document (physician or nurse caring for the patient): the content inline as base64
         * ({@code content[0].attachment.data}), PDF or image, at most what the REST upload takes.
         */
        @Create
        public MethodOutcome create(@ResourceParam DocumentReference r, HttpServletRequest request) {
            long patient = ClinicalProviders.subject(r.getSubject());
            Attachment a = r.getContentFirstRep().getAttachment();
            if (!a.hasData()) {
                throw new UnprocessableEntityException("content[0].attachment.data: the document itself is required, as base64");
            }
            String title = a.hasTitle() ? a.getTitle() : r.hasDescription() ? r.getDescription() : null;
            String kind = r.hasType() ? r.getType().hasText() ? r.getType().getText() : r.getType().getCodingFirstRep().getDisplay() : null;
            return calls.as(request, actor -> ClinicalProviders.created(document(documents.upload(actor, patient, title, kind,
                    a.getContentType(), a.getData()))));
        }

        static DocumentReference document(ClinicalDocument d) {
            DocumentReference r = new DocumentReference();
            r.setId(Long.toString(d.id()));
            r.getMeta().setVersionId(Integer.toString(d.version()));
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

    @Component
    static class CoverageProvider implements IResourceProvider {
        private final PatientService patients;
        private final FhirCalls calls;

        CoverageProvider(PatientService patients, FhirCalls calls) {
            this.patients = patients;
            this.calls = calls;
        }

        @Override
        public Class<Coverage> getResourceType() {
            return Coverage.class;
        }

        /** Coverage/123-amo is Patient/123's compulsory insurance (AMO), Coverage/123-amc the complementary one. */
        @Read
        public Coverage read(@IdParam IdType id, HttpServletRequest request) {
            String part = id.getIdPart() == null ? "" : id.getIdPart();
            return calls.as(request, actor -> {
                if (!part.matches("\\d{1,18}-(amo|amc)")) {
                    throw new ResourceNotFoundException("No Coverage " + part + ": coverage ids are <patient id>-amo or <patient id>-amc");
                }
                long patient = Long.parseLong(part.substring(0, part.indexOf('-')));
                return coverages(patients.read(actor, patient)).stream()
                        .filter(c -> c.getIdElement().getIdPart().equals(part)).findFirst()
                        .orElseThrow(() -> new ResourceNotFoundException("No Coverage " + part));
            });
        }

        @Search
        public List<Coverage> byBeneficiary(@OptionalParam(name = Coverage.SP_BENEFICIARY) ReferenceParam beneficiary,
                                            @OptionalParam(name = Coverage.SP_PATIENT) ReferenceParam patient, HttpServletRequest request) {
            ReferenceParam who = beneficiary != null ? beneficiary : patient;
            if (who == null) {
                throw new InvalidRequestException("Coverage searches start from a patient: beneficiary=Patient/<id> (or patient=)");
            }
            long id = ClinicalProviders.patientOf(who);
            return calls.as(request, actor -> coverages(patients.read(actor, id)));
        }

        /** What the gateway let the reader see: coverage is empty to a role that does not see it. */
        static List<Coverage> coverages(org.dossier.patient.Patient p) {
            PatientData.Coverage c = p.data().coverage();
            List<Coverage> out = new ArrayList<>();
            if (c == null) {
                return out;
            }
            Period rights = new Period();
            if (c.validFrom() != null) {
                rights.setStartElement(new org.hl7.fhir.r4.model.DateTimeType(c.validFrom().toString()));
            }
            if (c.validTo() != null) {
                rights.setEndElement(new org.hl7.fhir.r4.model.DateTimeType(c.validTo().toString()));
            }
            Coverage amo = new Coverage();
            amo.setId(p.id() + "-amo");
            amo.setStatus(Coverage.CoverageStatus.ACTIVE);
            amo.setType(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PUBLICPOL",
                    "public healthcare")).setText("Assurance maladie obligatoire"));
            amo.addIdentifier(new Identifier().setSystem(NIR_OID).setValue(c.nir()));
            amo.setSubscriberId(c.nir());
            amo.setBeneficiary(new Reference("Patient/" + p.id()));
            amo.setRelationship(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                    "self", "Self")));
            amo.addPayor(new Reference().setIdentifier(new Identifier().setSystem(AMO_FUND)
                    .setValue(c.amoScheme() + "-" + c.amoFund() + "-" + c.amoCentre())).setDisplay("Caisse " + c.amoScheme() + " " + c.amoFund()));
            if (rights.hasStart() || rights.hasEnd()) {
                amo.setPeriod(rights);
            }
            out.add(amo);
            if (c.amcName() != null) {
                Coverage amc = new Coverage();
                amc.setId(p.id() + "-amc");
                amc.setStatus(Coverage.CoverageStatus.ACTIVE);
                amc.setType(new CodeableConcept().setText("Assurance maladie complémentaire"));
                if (c.amcNumber() != null) {
                    amc.setSubscriberId(c.amcNumber());
                }
                amc.setBeneficiary(new Reference("Patient/" + p.id()));
                amc.addPayor(new Reference().setDisplay(c.amcName()));
                amc.setOrder(2);
                out.add(amc);
            }
            return out;
        }
    }

    @Component
    static class InvoiceProvider implements IResourceProvider {
        private final BillingService billing;
        private final FhirCalls calls;

        InvoiceProvider(BillingService billing, FhirCalls calls) {
            this.billing = billing;
            this.calls = calls;
        }

        @Override
        public Class<org.hl7.fhir.r4.model.Invoice> getResourceType() {
            return org.hl7.fhir.r4.model.Invoice.class;
        }

        @Read
        public org.hl7.fhir.r4.model.Invoice read(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> invoice(billing.read(actor, FhirCalls.id(id))));
        }

        @Search
        public List<org.hl7.fhir.r4.model.Invoice> byPatient(@RequiredParam(name = org.hl7.fhir.r4.model.Invoice.SP_PATIENT) ReferenceParam patient,
                                                             HttpServletRequest request) {
            long id = ClinicalProviders.patientOf(patient);
            return calls.as(request, actor -> billing.invoicesOf(actor, id).stream().map(InvoiceProvider::invoice).toList());
        }

        static org.hl7.fhir.r4.model.Invoice invoice(Invoice i) {
            var r = new org.hl7.fhir.r4.model.Invoice();
            r.setId(Long.toString(i.id()));
            r.getMeta().setVersionId(Integer.toString(i.version()));
            r.setStatus(switch (i.status()) {
                case DRAFT -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.DRAFT;
                case ISSUED -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.ISSUED;
                case PAID -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.BALANCED;
                case CANCELLED -> org.hl7.fhir.r4.model.Invoice.InvoiceStatus.CANCELLED;
            });
            if (i.statusReason() != null && i.status() == Invoice.Status.CANCELLED) {
                r.setCancelledReason(i.statusReason());
            }
            r.setSubject(new Reference("Patient/" + i.patientId()));
            r.setIssuer(new Reference("Organization/" + i.facilityId()));
            for (Invoice.Line line : i.lines()) {
                var item = r.addLineItem().setSequence(line.lineNo());
                item.setChargeItem(new CodeableConcept().addCoding(new Coding(line.actCode().matches("[A-Z]{4}\\d{3}") ? CCAM : NGAP,
                        line.actCode(), line.label())).setText(line.quantity() + " × " + line.label()));
                item.addPriceComponent().setType(org.hl7.fhir.r4.model.Invoice.InvoicePriceComponentType.BASE)
                        .setFactor(BigDecimal.valueOf(line.quantity())).setAmount(euros(line.amountCents()));
            }
            r.setTotalGross(euros(i.totalCents()));
            r.setTotalNet(euros(i.totalCents()));
            return r;
        }

        private static Money euros(int cents) {
            return new Money().setCurrency("EUR").setValue(BigDecimal.valueOf(cents, 2));
        }
    }

    @Component
    static class PractitionerRoleProvider implements IResourceProvider {
        private final OrganizationService organization;
        private final FhirCalls calls;

        PractitionerRoleProvider(OrganizationService organization, FhirCalls calls) {
            this.organization = organization;
            this.calls = calls;
        }

        @Override
        public Class<PractitionerRole> getResourceType() {
            return PractitionerRole.class;
        }

        /** PractitionerRole/&lt;staff id&gt;-&lt;facility id&gt;: what a staff member does in one facility, and in which units. */
        @Read
        public PractitionerRole read(@IdParam IdType id, HttpServletRequest request) {
            String part = id.getIdPart() == null ? "" : id.getIdPart();
            return calls.as(request, actor -> {
                if (!part.matches("\\d{1,18}-\\d{1,9}")) {
                    throw new ResourceNotFoundException("No PractitionerRole " + part + ": ids are <staff id>-<facility id>");
                }
                long staff = Long.parseLong(part.substring(0, part.indexOf('-')));
                return roles(organization.staffMember(staff), organization).stream()
                        .filter(r -> r.getIdElement().getIdPart().equals(part))
                        .filter(r -> actor.worksIn(Integer.parseInt(r.getOrganization().getReferenceElement().getIdPart()))).findFirst()
                        .orElseThrow(() -> new ResourceNotFoundException("No PractitionerRole " + part));
            });
        }

        @Search
        public List<PractitionerRole> byPractitioner(@RequiredParam(name = PractitionerRole.SP_PRACTITIONER) ReferenceParam practitioner,
                                                     HttpServletRequest request) {
            String id = practitioner.getIdPart();
            if (id == null || !id.matches("\\d{1,18}")) {
                throw new InvalidRequestException("practitioner must be a Practitioner id, e.g. practitioner=Practitioner/12");
            }
            return calls.as(request, actor -> roles(organization.staffMember(Long.parseLong(id)), organization).stream()
                    .filter(r -> actor.worksIn(Integer.parseInt(r.getOrganization().getReferenceElement().getIdPart()))).toList());
        }

        static List<PractitionerRole> roles(StaffMember m, OrganizationService organization) {
            List<PractitionerRole> out = new ArrayList<>();
            for (int facility : m.facilityIds().stream().sorted().toList()) {
                PractitionerRole r = new PractitionerRole();
                r.setId(m.id() + "-" + facility);
                r.setActive(m.status() == org.dossier.organization.StaffStatus.ACTIVE);
                r.setPractitioner(new Reference("Practitioner/" + m.id()).setDisplay(m.displayName()));
                r.setOrganization(new Reference("Organization/" + facility));
                for (Role role : m.roles().stream().sorted().toList()) {
                    r.addCode(new CodeableConcept().addCoding(new Coding("https://dossier.example/fhir/CodeSystem/staff-role", role.name(),
                            role.name().toLowerCase().replace('_', ' '))));
                }
                organization.units(facility).stream().filter(u -> m.unitIds().contains(u.id()))
                        .forEach(u -> r.addLocation(new Reference("Location/" + u.id()).setDisplay(u.name())));
                out.add(r);
            }
            return out;
        }
    }

}
