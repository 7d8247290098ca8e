package org.dossier.web;

import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

import java.io.Writer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Tomcat refuses before the application sees the request — a path whose percent-escapes are not UTF-8 or hold a
 * NUL ({@code /api/patients/%ff}), a request line or headers over the size limit — is answered by the host's error
 * report valve, which writes Tomcat's own HTML page. This one writes the same problem as the rest of the catalogue
 * ({@link Problems}): RFC 9457 on the API, an OperationOutcome under {@code /fhir}; a browser asking for a page keeps
 * the plain HTML one.
 */
@Configuration(proxyBeanMethods = false)
class ContainerErrors {

    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> containerErrorsAsProblems() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                // Spring Boot has put a plain ErrorReportValve on the host; the host adds one of its configured class if none is there.
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
                host.getPipeline().addValve(new ProblemReportValve());
            }
        });
    }

    /** The host's error report: a problem for API and FHIR clients. Public: the host may create it by its class name. */
    public static final class ProblemReportValve extends ErrorReportValve {

        public ProblemReportValve() {
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            HttpStatus resolved = HttpStatus.resolve(status);
            // A request line too long to parse leaves no URI: it is answered as the API answers.
            String uri = request.getRequestURI() == null ? "/" : request.getRequestURI();
            if (status < 400 || resolved == null || response.getContentWritten() > 0 || wantsPage(request, uri)) {
                super.report(request, response, throwable);
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            String detail = switch (resolved) {
                case BAD_REQUEST -> "The request is malformed (its URL, whose escapes must be UTF-8 without NUL, its headers or its body)"
                        + " and was not processed; nothing was changed";
                case REQUEST_HEADER_FIELDS_TOO_LARGE, URI_TOO_LONG -> "The request's URL or headers are too long and were not processed;"
                        + " nothing was changed";
                default -> resolved.is5xxServerError() ? "Something went wrong on our side; nothing was changed"
                        : "The request was refused (" + resolved.getReasonPhrase() + ")";
            };
            String code = resolved.is4xxClientError() ? resolved.name().toLowerCase(Locale.ROOT).replace('_', '-') : "internal-error";
            try {
                String body = Problems.text(uri, Problems.of(resolved, code, resolved.getReasonPhrase(), detail, null));
                response.setContentType(Problems.contentType(uri));
                response.setCharacterEncoding("UTF-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(body);
                    response.finishResponse();
                }
            } catch (java.io.IOException | IllegalStateException e) {
                // The client has gone or the answer has started: nothing more to write.
            }
        }

        private static boolean wantsPage(Request request, String uri) {
            String accept = request.getHeader("Accept");
            return accept != null && accept.contains("text/html") && !uri.startsWith("/api/") && !uri.startsWith("/fhir");
        }
    }
}
