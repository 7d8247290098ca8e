/** Exfiltration detection and response: budgets, velocity, canary records, step-up and freeze. */
package org.dossier.guard;
