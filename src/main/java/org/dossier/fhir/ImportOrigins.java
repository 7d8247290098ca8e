package org.dossier.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import org.dossier.access.Imports;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every imported record is served with {@code meta.source}: the import it came with and the source system's id of the
 * resource ({@code urn:dossier:import:<file or bundle>#<original fullUrl>}), so that a record read here can be traced to
 * what the other system sent. Looked up once per answer, and only when the answer holds records the mapping marked as
 * imported: records made here cost nothing.
 */
@Component
@Interceptor
class ImportOrigins {

    private static final String IMPORTED = ImportOrigins.class.getName() + ".imported";

    private final Imports imports;

    ImportOrigins(Imports imports) {
        this.imports = imports;
    }

    /** Marks a served resource whose record was imported ({@code source} is what the import kept of it, null otherwise). */
    static void mark(Resource resource, Object source) {
        if (source != null) {
            resource.setUserData(IMPORTED, Boolean.TRUE);
        }
    }

    /** What the import keeps when the source gave the resource neither a fullUrl nor an id (BundleImport). */
    static final String NO_ID = "(no id)";

    /**
     * The source's id as a URI fragment: none when the source gave none, else percent-encoded where a URI may not hold
     * the character (a source's fullUrl is not always a valid URI; {@code meta.source} must be one).
     */
    static String fragment(String originalId) {
        if (originalId == null || originalId.isEmpty() || NO_ID.equals(originalId)) {
            return "";
        }
        StringBuilder f = new StringBuilder("#");
        for (byte b : originalId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (b >= 0 && (Character.isLetterOrDigit(c) || "-._~:/?@!$&'()*+,;=%".indexOf(c) >= 0)) {
                f.append(c);
            } else {
                f.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return f.toString();
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean outgoing(ResponseDetails response) {
        IBaseResource answer = response.getResponseResource();
        List<Resource> imported = new ArrayList<>();
        if (answer instanceof Bundle bundle) {
            bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r != null && r.getUserData(IMPORTED) != null)
                    .forEach(imported::add);
        } else if (answer instanceof Resource r && r.getUserData(IMPORTED) != null) {
            imported.add(r);
        }
        Map<String, List<Resource>> byType = new LinkedHashMap<>();
        imported.forEach(r -> byType.computeIfAbsent(r.fhirType(), t -> new ArrayList<>()).add(r));
        byType.forEach((type, resources) -> {
            Map<String, Imports.Source> origins = imports.origins(type, resources.stream().map(r -> r.getIdElement().getIdPart()).distinct().toList());
            for (Resource r : resources) {
                Imports.Source origin = origins.get(r.getIdElement().getIdPart());
                if (origin != null) {
                    r.getMeta().setSource("urn:dossier:import:" + URLEncoder.encode(origin.importedFrom(), StandardCharsets.UTF_8)
                            + fragment(origin.originalId()));
                }
            }
        });
        return true;
    }
}
