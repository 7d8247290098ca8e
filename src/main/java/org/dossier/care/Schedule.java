package org.dossier.care;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;

/** Opening hours of a practitioner on one weekday, cut into slots of {@code slotMinutes}. */
public record Schedule(long id, int facilityId, long practitionerId, int unitId, DayOfWeek weekday, LocalTime startTime,
                       LocalTime endTime, int slotMinutes, LocalDate validFrom, LocalDate validTo) {

    /** Whether these hours are open on {@code day}. */
    public boolean validOn(LocalDate day) {
        return weekday == day.getDayOfWeek() && !day.isBefore(validFrom) && (validTo == null || !day.isAfter(validTo));
    }
}
