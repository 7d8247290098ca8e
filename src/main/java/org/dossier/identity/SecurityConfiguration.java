package org.dossier.identity;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Until multi-factor login lands, every endpoint but health and the OpenAPI document requires HTTP
 * basic authentication of a staff account. Nothing is ever left open.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    @ConditionalOnWebApplication
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/api/docs", "/api/docs/**", "/error").permitAll()
                        .anyRequest().authenticated())
                .httpBasic(basic -> basic.realmName("Dossier"))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Basic credentials are sent by API clients, not by forms; CSRF protection comes with browser sessions.
                .csrf(csrf -> csrf.ignoringRequestMatchers("/api/**"));
        return http.build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    }
}
