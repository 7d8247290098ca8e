package org.dossier.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The query check refuses only dates PostgreSQL cannot store, never an identifier that happens to start with digits. */
class QueryDateCheckTest {

    @Test
    void farYearsAreRefused() {
        assertThat(InputFilter.checkQuery("birthdate=%2B10000-01-01")).isNotNull();
        assertThat(InputFilter.checkQuery("date=12345-06-07T10:00:00Z")).isNotNull();
        assertThat(InputFilter.checkQuery("from=-0001-01")).isNotNull();
    }

    @Test
    void identifiersThatStartWithDigitsPass() {
        // A HAPI paging id is a UUID; about one in forty starts with eight digits and a dash.
        assertThat(InputFilter.checkQuery("_getpages=12345678-9abc-4def-8123-456789abcdef&_getpagesoffset=20")).isNull();
        assertThat(InputFilter.checkQuery("identifier=99999-1")).isNull();
        assertThat(InputFilter.checkQuery("date=2026-12-06")).isNull();
    }
}
