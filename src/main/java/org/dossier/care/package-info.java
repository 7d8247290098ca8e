/** Care relationships that explain an access: stays, appointments, care teams and referrals. */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"access", "audit", "organization", "patient", "platform"})
package org.dossier.care;
