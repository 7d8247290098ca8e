/** The patient portal: patients' own accounts, their own record, who opened it, and the cases they open about an access (ADR 0039). */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "access", "audit", "billing", "care", "clinical", "identity", "organization", "patient", "platform", "prescribing"})
package org.dossier.portal;
