package org.dossier.identity;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

/** A production server refuses to start with demo accounts, whose passwords and secrets are public. */
@Component
@DependsOn("flywayInitializer")
class ProductionGuard implements InitializingBean {

    private final CredentialService credentials;
    private final boolean production;
    private final boolean demoEnabled;

    ProductionGuard(CredentialService credentials, @Value("${dossier.profile}") String profile,
                    @Value("${dossier.demo.enabled}") boolean demoEnabled) {
        this.credentials = credentials;
        this.production = "production".equals(profile);
        this.demoEnabled = demoEnabled;
    }

    @Override
    public void afterPropertiesSet() {
        if (!production) {
            return;
        }
        if (demoEnabled) {
            throw new IllegalStateException("DOSSIER_PROFILE=production with the demo hospital enabled: set DOSSIER_DEMO=false");
        }
        if (credentials.hasDemoCredentials()) {
            throw new IllegalStateException("DOSSIER_PROFILE=production but this database holds demo accounts, whose passwords "
                    + "and authenticator secrets are public: use a database without the demo hospital");
        }
    }
}
