/** Care relationships that explain an access: stays, appointments, care teams and referrals. */
package org.dossier.care;
