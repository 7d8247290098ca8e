/** The assembled views of one patient's record: the chart summary, built from the modules' services. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {
        "access", "billing", "care", "clinical", "identity", "organization", "patient", "platform", "prescribing", "web"})
package org.dossier.chart;
