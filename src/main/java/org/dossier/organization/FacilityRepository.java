package org.dossier.organization;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;

@Repository
class FacilityRepository {

    private final JdbcClient jdbc;

    FacilityRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Facility> findAll() {
        return jdbc.sql("select id, finess, name, city from facility order by id").query(Facility.class).list();
    }

    Optional<Facility> findById(int id) {
        return jdbc.sql("select id, finess, name, city from facility where id = ?").param(id).query(Facility.class).optional();
    }

    List<CareUnit> units(int facilityId) {
        return jdbc.sql("select id, facility_id, code, name, kind, beds from care_unit where facility_id = ? order by name")
                .param(facilityId).query(CareUnit.class).list();
    }

    Optional<CareUnit> unit(int unitId) {
        return jdbc.sql("select id, facility_id, code, name, kind, beds from care_unit where id = ?")
                .param(unitId).query(CareUnit.class).optional();
    }

    boolean unitCodeTaken(int facilityId, String code) {
        return jdbc.sql("select exists(select 1 from care_unit where facility_id = ? and code = ?)")
                .param(facilityId).param(code).query(Boolean.class).single();
    }

    CareUnit insertUnit(int facilityId, String code, String name, UnitKind kind, int beds) {
        int id = jdbc.sql("insert into care_unit (facility_id, code, name, kind, beds) values (?, ?, ?, ?, ?) returning id")
                .param(facilityId).param(code).param(name).param(kind.name()).param(beds).query(Integer.class).single();
        return new CareUnit(id, facilityId, code, name, kind, beds);
    }

    /** Hands out the next local patient identifier (IPP) of a facility; the row lock serialises registrations per facility. */
    long nextIpp(int facilityId) {
        return jdbc.sql("update facility set next_ipp = next_ipp + 1 where id = ? returning next_ipp - 1")
                .param(facilityId).query(Long.class).single();
    }
}
