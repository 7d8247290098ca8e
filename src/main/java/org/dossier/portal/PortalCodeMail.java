package org.dossier.portal;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Sends an enrolment code to the e-mail address on the patient's record, through the hospital's SMTP relay
 * ({@code spring.mail.*}); without one configured, codes are handed over at the desk only (ADR 0049). The message names
 * no patient and no hospital service: whoever reads it learns that a code exists, not whose record it opens — and the
 * code alone opens nothing without the birth date, a password and an authenticator.
 */
@Component
class PortalCodeMail {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm", Locale.FRANCE);

    private final ObjectProvider<JavaMailSender> senders;
    private final String from;
    private final String portalAddress;
    private final ZoneId zone;

    PortalCodeMail(ObjectProvider<JavaMailSender> senders,
                   @Value("${dossier.portal.mail.from:no-reply@dossier.invalid}") String from,
                   @Value("${dossier.portal.public-url:}") String portalAddress,
                   @Value("${dossier.time-zone:Europe/Paris}") String zone) {
        this.senders = senders;
        this.from = from;
        this.portalAddress = portalAddress;
        this.zone = ZoneId.of(zone);
    }

    /** Whether a mail relay is configured, so that codes may be sent at all. */
    boolean available() {
        return senders.getIfAvailable() != null;
    }

    /** Sends the code; a relay that refuses or cannot be reached is reported as {@link MailException}, and nothing is kept. */
    void send(String to, String code, Instant expiresAt) {
        JavaMailSender sender = senders.getObject();
        try {
            MimeMessage message = sender.createMimeMessage();
            MimeMessageHelper helper = new MimeMessageHelper(message, false, "UTF-8");
            helper.setFrom(from);
            helper.setTo(to);
            helper.setSubject("Votre code d'inscription au portail patient / Your patient portal enrolment code");
            helper.setText(body(code, expiresAt), false);
            sender.send(message);
        } catch (MessagingException e) {
            throw new org.springframework.mail.MailPreparationException("the enrolment message could not be written", e);
        }
    }

    private String body(String code, Instant expiresAt) {
        String until = WHEN.format(expiresAt.atZone(zone));
        String where = portalAddress.isBlank() ? "/portal/enrol" : portalAddress.replaceAll("/+$", "") + "/portal/enrol";
        return """
                Bonjour,

                Voici votre code d'inscription au portail patient de l'hôpital : %1$s
                Il est valable jusqu'au %2$s, pour une seule inscription, sur %3$s
                Il vous sera aussi demandé votre date de naissance, puis de choisir un mot de passe et une application
                d'authentification. Si vous n'avez rien demandé, ignorez ce message et signalez-le à l'accueil de l'hôpital.

                Hello,

                Here is your enrolment code for the hospital's patient portal: %1$s
                It is valid until %2$s, for one enrolment, at %3$s
                You will also be asked for your birth date, then to choose a password and an authenticator app. If you did
                not ask for it, ignore this message and tell the hospital's front desk.
                """.formatted(code, until, where);
    }
}
