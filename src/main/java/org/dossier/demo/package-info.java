/** The demo hospital: a deterministic generator of realistic French-looking facilities, staff and patients, loaded on first start. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "billing", "care", "clinical", "guard", "identity", "organization", "patient", "prescribing"})
package org.dossier.demo;
