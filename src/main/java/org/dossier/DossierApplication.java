package org.dossier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Dossier, a hospital electronic patient record. */
@SpringBootApplication
public class DossierApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(DossierApplication.class, args);
        } catch (RuntimeException failed) {
            // Spring has logged why and closed what it started; a library's scheduler thread still running (Spring
            // Security's one-time-token cleanup) would keep the process alive, answering nothing, where a supervisor
            // must see the start fail.
            System.exit(1);
        }
    }
}
