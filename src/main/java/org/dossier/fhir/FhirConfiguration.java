package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One FHIR context (costly to build) and the HAPI server mounted at /fhir, behind the same security filters as /api. */
@Configuration(proxyBeanMethods = false)
class FhirConfiguration {

    @Bean
    FhirContext fhirContext() {
        return FhirContext.forR4Cached();
    }

    @Bean
    ServletRegistrationBean<DossierFhirServer> fhirServlet(DossierFhirServer server) {
        ServletRegistrationBean<DossierFhirServer> registration = new ServletRegistrationBean<>(server, "/fhir/*");
        registration.setName("fhir");
        // Built on first use, not before the server answers: HAPI's start (scanning the providers, building the
        // CapabilityStatement) took 2.5 of the 12–15 s of a cold start. FhirWarmUp makes that first use right away.
        registration.setLoadOnStartup(-1);
        return registration;
    }

    /** Once the server answers, asks for /fhir/metadata in the background, so that no FHIR client pays HAPI's start. */
    @Bean
    org.springframework.context.ApplicationListener<org.springframework.boot.context.event.ApplicationReadyEvent> fhirWarmUp(
            org.springframework.core.env.Environment environment) {
        return event -> {
            String port = environment.getProperty("local.server.port");
            if (port == null) {
                return;
            }
            Thread warmUp = new Thread(() -> {
                try {
                    java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/fhir/metadata"))
                            .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                } catch (java.io.IOException e) {
                    org.slf4j.LoggerFactory.getLogger(FhirConfiguration.class).debug("FHIR warm-up failed: {}", e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "fhir-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        };
    }
}
