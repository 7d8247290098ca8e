package org.dossier.patient.web;

import org.dossier.patient.IdentityStatus;
import org.dossier.patient.PatientData;
import org.dossier.patient.Sex;
import org.springframework.format.annotation.DateTimeFormat;

import java.time.LocalDate;
import java.util.List;

/**
 * The identity form of the registration and editing screens: the fields a front desk types. What the form does not
 * show (trusted person, coverage, preferred physician) is kept from the record as it was.
 */
class IdentityForm {

    static final String NIR_OID = "1.2.250.1.213.1.4.8";

    String birthFamilyName;
    String usedName;
    String givenNames;
    @DateTimeFormat(iso = DateTimeFormat.ISO.DATE)
    LocalDate birthDate;
    Sex sex;
    String birthplaceCode;
    String insMatricule;
    IdentityStatus identityStatus = IdentityStatus.PROVISIONAL;
    String addressLine;
    String postalCode;
    String city;
    String phone;
    String email;
    boolean duplicatesReviewed;
    /** Where a registration goes, for a desk that serves several facilities (one facility: that one). */
    Integer facilityId;

    static IdentityForm of(PatientData d) {
        IdentityForm f = new IdentityForm();
        f.birthFamilyName = d.birthFamilyName();
        f.usedName = d.usedName();
        f.givenNames = d.givenNames();
        f.birthDate = d.birthDate();
        f.sex = d.sex();
        f.birthplaceCode = d.birthplaceCode();
        f.insMatricule = d.insMatricule();
        f.identityStatus = d.identityStatus();
        if (!d.addresses().isEmpty()) {
            f.addressLine = d.addresses().get(0).line();
            f.postalCode = d.addresses().get(0).postalCode();
            f.city = d.addresses().get(0).city();
        }
        f.phone = d.phones().isEmpty() ? null : d.phones().get(0).number();
        f.email = d.emails().isEmpty() ? null : d.emails().get(0).address();
        return f;
    }

    /** The record as typed, over what the record held before ({@code before} null for a registration). */
    PatientData toData(PatientData before) {
        String ins = blank(insMatricule) ? null : insMatricule.strip().toUpperCase();
        List<PatientData.Address> addresses = blank(addressLine) && blank(city) ? List.of()
                : List.of(new PatientData.Address("HOME", trim(addressLine), trim(postalCode), trim(city), null, "FR"));
        List<PatientData.Phone> phones = blank(phone) ? List.of() : List.of(new PatientData.Phone("MOBILE", phone.strip()));
        List<PatientData.Email> emails = blank(email) ? List.of() : List.of(new PatientData.Email("HOME", email.strip()));
        return new PatientData(trim(birthFamilyName), trim(usedName), trim(givenNames), birthDate, sex, trim(birthplaceCode), ins,
                ins == null ? null : NIR_OID, identityStatus, addresses, phones, emails,
                before == null ? List.of() : before.contacts(), before == null ? null : before.preferredPhysician(),
                before == null ? null : before.coverage());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String trim(String s) {
        return blank(s) ? null : s.strip();
    }

    // Bean accessors for data binding and the templates.
    public String getBirthFamilyName() { return birthFamilyName; }
    public void setBirthFamilyName(String v) { birthFamilyName = v; }
    public String getUsedName() { return usedName; }
    public void setUsedName(String v) { usedName = v; }
    public String getGivenNames() { return givenNames; }
    public void setGivenNames(String v) { givenNames = v; }
    public LocalDate getBirthDate() { return birthDate; }
    public void setBirthDate(LocalDate v) { birthDate = v; }
    public Sex getSex() { return sex; }
    public void setSex(Sex v) { sex = v; }
    public String getBirthplaceCode() { return birthplaceCode; }
    public void setBirthplaceCode(String v) { birthplaceCode = v; }
    public String getInsMatricule() { return insMatricule; }
    public void setInsMatricule(String v) { insMatricule = v; }
    public IdentityStatus getIdentityStatus() { return identityStatus; }
    public void setIdentityStatus(IdentityStatus v) { identityStatus = v; }
    public String getAddressLine() { return addressLine; }
    public void setAddressLine(String v) { addressLine = v; }
    public String getPostalCode() { return postalCode; }
    public void setPostalCode(String v) { postalCode = v; }
    public String getCity() { return city; }
    public void setCity(String v) { city = v; }
    public String getPhone() { return phone; }
    public void setPhone(String v) { phone = v; }
    public String getEmail() { return email; }
    public void setEmail(String v) { email = v; }
    public Integer getFacilityId() { return facilityId; }
    public void setFacilityId(Integer v) { facilityId = v; }
    public boolean isDuplicatesReviewed() { return duplicatesReviewed; }
    public void setDuplicatesReviewed(boolean v) { duplicatesReviewed = v; }
}
