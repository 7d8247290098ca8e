package org.dossier.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.i18n.AcceptHeaderLocaleResolver;
import org.springframework.web.servlet.i18n.SessionLocaleResolver;

import java.util.List;
import java.util.Locale;

/**
 * The screens' language: the person's own choice when they made one (kept in the session from sign-in on), otherwise
 * the browser's preferred language among those Dossier speaks, otherwise French.
 */
@Configuration(proxyBeanMethods = false)
class Screens {

    /** Same name as the identity module's sign-in uses to put the chosen {@code Locale} in the session. */
    static final String LANGUAGE_ATTRIBUTE = "dossier.language";

    @Bean
    LocaleResolver localeResolver() {
        AcceptHeaderLocaleResolver browser = new AcceptHeaderLocaleResolver();
        browser.setSupportedLocales(List.of(Locale.FRENCH, Locale.ENGLISH));
        browser.setDefaultLocale(Locale.FRENCH);
        SessionLocaleResolver chosen = new SessionLocaleResolver();
        chosen.setLocaleAttributeName(LANGUAGE_ATTRIBUTE);
        chosen.setDefaultLocaleFunction(browser::resolveLocale);
        return chosen;
    }
}
