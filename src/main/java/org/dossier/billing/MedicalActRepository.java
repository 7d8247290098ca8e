package org.dossier.billing;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;

/** The catalogue of medical acts and their prices. No patient row is read here, which is why its methods take no proof. */
@Repository
class MedicalActRepository {

    private final JdbcClient jdbc;

    MedicalActRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<MedicalAct> acts(String query, int limit) {
        String q = query == null ? "" : query.strip().toLowerCase();
        return jdbc.sql("select code, system, label, price_cents from medical_act where lower(code) like ? or lower(label) like ?"
                        + " order by code limit ?")
                .param(q + "%").param("%" + q + "%").param(limit).query(MedicalAct.class).list();
    }

    Optional<MedicalAct> act(String code) {
        return jdbc.sql("select code, system, label, price_cents from medical_act where code = ?").param(code).query(MedicalAct.class).optional();
    }
}
