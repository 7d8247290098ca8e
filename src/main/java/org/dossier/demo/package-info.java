/** The demo hospital: a deterministic generator of realistic French-looking facilities, staff and patients, loaded on first start. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "billing", "care", "clinical", "guard", "identity", "organization", "patient", "prescribing",
        "portal :: bulk",
        "billing :: bulk", "care :: bulk", "clinical :: bulk", "organization :: bulk", "patient :: bulk", "prescribing :: bulk"})
package org.dossier.demo;
