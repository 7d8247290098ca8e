package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAPI's instance validator (R4 core definitions, no terminology server) for what the server answers: resources,
 * Bundles (each entry validated with them) and OperationOutcomes. Built once, loading the definitions takes seconds.
 */
final class FhirValidation {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static FhirValidator validator;

    private FhirValidation() {
    }

    /** Fails, naming each error (type, id, place, message), unless the validator finds no error in any of them. */
    static void assertValid(IBaseResource... resources) {
        assertThat(errors(Arrays.asList(resources))).as("validator errors").isEmpty();
    }

    /** Parses a JSON answer and asserts that it is valid; returns it. */
    static <T extends IBaseResource> T assertValidJson(Class<T> type, String json) {
        T parsed = FHIR.newJsonParser().parseResource(type, json);
        assertValid(parsed);
        return parsed;
    }

    /** The errors (not warnings) HAPI's instance validator finds in each resource, named by type, id and place. */
    static List<String> errors(Collection<? extends IBaseResource> resources) {
        List<String> errors = new ArrayList<>();
        for (IBaseResource r : resources) {
            for (SingleValidationMessage m : validator().validateWithResult(r).getMessages()) {
                if (m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()) {
                    errors.add(r.fhirType() + "/" + r.getIdElement().getIdPart() + " " + m.getLocationString() + ": " + m.getMessage());
                }
            }
        }
        return errors;
    }

    static synchronized FhirValidator validator() {
        if (validator == null) {
            ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
                    new CommonCodeSystemsTerminologyService(FHIR), new InMemoryTerminologyServerValidationSupport(FHIR),
                    new SnapshotGeneratingValidationSupport(FHIR));
            validator = FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
        }
        return validator;
    }
}
