package org.dossier.demo;

import org.dossier.identity.TotpService;

import java.time.Instant;

/** Prints the authenticator secret and current code of a demo account: {@code bin/demo-totp <username>}. */
public final class DemoTotp {

    private DemoTotp() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: bin/demo-totp <username>");
            System.exit(2);
        }
        String secret = DemoAccounts.totpSecret(args[0]);
        System.out.println("secret " + secret);
        System.out.println("code   " + TotpService.codeAt(secret, Instant.now()));
    }
}
