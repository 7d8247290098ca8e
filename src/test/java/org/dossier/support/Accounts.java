package org.dossier.support;

import org.dossier.demo.DemoAccounts;
import org.dossier.identity.CredentialService;
import org.dossier.organization.Luhn;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh staff accounts with the demo password and a known authenticator secret, so tests do not share TOTP steps. */
public final class Accounts {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Accounts() {
    }

    public static String newPhysician(Api admin, CredentialService credentials) {
        return newStaff(admin, credentials, "PHYSICIAN", 1, 1);
    }

    /** A new account of one role, in one facility and (for clinicians) one unit, with the demo credentials. */
    public static String newStaff(Api admin, CredentialService credentials, String role, int facilityId, Integer unitId) {
        int n = SEQUENCE.incrementAndGet();
        String username = "id.test" + n + "." + System.nanoTime() % 100_000;
        String payload = String.format("17%08d", 30_000_000 + n);
        Api.Response r = admin.post("/api/staff", Map.of("username", username, "displayName", "Dr Identity " + n,
                "rpps", payload + Luhn.checkDigit(payload), "roles", List.of(role), "facilityIds", List.of(facilityId),
                "unitIds", unitId == null ? List.of() : List.of(unitId), "reason", "identity test"));
        long id = Approvals.approvedAccount(admin.port(), r).get("id").asLong();
        credentials.setDemoCredentials(List.of(id), DemoAccounts.PASSWORD, Map.of(id, DemoAccounts.totpSecret(username)));
        return username;
    }
}
