package org.dossier.identity;

import org.dossier.platform.SecretBox;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * The sessions' attributes are sealed at rest with the server key (issue 22). They are serialized objects in
 * {@code spring_session_attributes}, and some carry what a screen is given back after a refusal — a chart form's fields (a
 * note's title and body, a prescription), the allergy a prescription conflicts with, the refusal's words — which a dump, a
 * base backup or the WAL would otherwise show in clear, even after the redirect has consumed them. An attribute that does
 * not open (written before this, or under another key) reads as absent: at worst its user signs in again.
 */
@Configuration(proxyBeanMethods = false)
class SealedSessions {

    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> sealedSessionAttributes(SecretBox box, ResourceLoader resources) {
        SerializingConverter serialize = new SerializingConverter();
        DeserializingConverter deserialize = new DeserializingConverter(resources.getClassLoader());
        GenericConversionService conversions = new GenericConversionService();
        conversions.addConverter(Object.class, byte[].class, attribute -> box.seal(serialize.convert(attribute)));
        conversions.addConverter(byte[].class, Object.class, sealed -> {
            byte[] serialized;
            try {
                serialized = box.open(sealed);
            } catch (IllegalStateException notOurs) {
                return null;
            }
            return deserialize.convert(serialized);
        });
        return repository -> repository.setConversionService(conversions);
    }
}
