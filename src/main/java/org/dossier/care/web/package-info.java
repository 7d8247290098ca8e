/** REST endpoints for stays, schedules, appointments, care teams and referrals. */
package org.dossier.care.web;
