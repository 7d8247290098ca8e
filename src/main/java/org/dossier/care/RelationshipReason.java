package org.dossier.care;

/** Why a staff member is involved in a patient's care; the reason code written into every audit entry. */
public enum RelationshipReason {
    /** The staff member is the attending physician of a current stay. */
    ATTENDING,
    /** The patient is currently in one of the staff member's units. */
    CURRENT_STAY_IN_UNIT,
    /** The staff member is on the patient's care team. */
    CARE_TEAM,
    /** The patient has an appointment with the staff member within the window around now. */
    APPOINTMENT,
    /** The patient was referred to the staff member or one of their units. */
    REFERRAL,
    /** The staff member cared for the patient during a stay discharged recently. */
    RECENT_DISCHARGE
}
