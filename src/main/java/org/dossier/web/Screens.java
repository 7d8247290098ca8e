package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.LocaleResolver;

import java.util.List;
import java.util.Locale;

/**
 * The screens' language: the person's own choice when they made one (kept in the session from sign-in on), otherwise
 * the browser's preferred language among those Dossier speaks, otherwise French.
 */
@Configuration(proxyBeanMethods = false)
class Screens {

    /** Same name as the identity module's sign-in handler uses to put the chosen language in the session. */
    static final String LANGUAGE_ATTRIBUTE = "dossier.language";
    static final List<Locale> SPOKEN = List.of(Locale.FRENCH, Locale.ENGLISH);

    @Bean
    LocaleResolver localeResolver() {
        return new LocaleResolver() {
            @Override
            public Locale resolveLocale(HttpServletRequest request) {
                HttpSession session = request.getSession(false);
                Object chosen = session == null ? null : session.getAttribute(LANGUAGE_ATTRIBUTE);
                if (chosen instanceof String language) {
                    return Locale.forLanguageTag(language);
                }
                String header = request.getHeader("Accept-Language");
                if (header == null || header.isBlank()) {
                    return Locale.FRENCH;
                }
                try {
                    Locale match = Locale.lookup(Locale.LanguageRange.parse(header), SPOKEN);
                    return match == null ? Locale.FRENCH : match;
                } catch (IllegalArgumentException malformed) {
                    return Locale.FRENCH;
                }
            }

            @Override
            public void setLocale(HttpServletRequest request, HttpServletResponse response, Locale locale) {
                request.getSession().setAttribute(LANGUAGE_ATTRIBUTE, locale.getLanguage());
            }
        };
    }
}
