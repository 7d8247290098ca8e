package org.dossier.fhir;

import java.nio.file.Path;

/** Where the Synthea bundles are, for tests outside this package (DumpScanTest imports a few). */
public final class FhirImportTestFiles {

    public static final Path SYNTHEA = FhirImportTest.SYNTHEA;

    private FhirImportTestFiles() {
    }
}
