package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.identity.PatientFactors;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.patient.IdentityStatus;
import org.dossier.patient.PatientData;
import org.dossier.patient.PatientService;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FacilityScope;
import org.dossier.platform.ForbiddenException;
import org.dossier.audit.AuditReason;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.SecretBox;
import org.dossier.platform.UnauthorizedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Patients' portal accounts (ADR 0039): the desk issues a one-time code for a registered patient; the patient enrols with
 * it and their birth date, chooses a password and confirms an authenticator (TOTP, mandatory); they then sign in with
 * both. The same password rules, hashing, throttle and TOTP as staff accounts (identity's {@link PatientFactors}).
 */
@Service
public class PortalAccounts {

    /** How long a code handed over at the desk may be used. */
    static final Duration CODE_LIFETIME = Duration.ofDays(3);
    /** No 0/O or 1/I: the code is read aloud and typed from paper. 12 characters of 32: 60 bits. */
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    /** Wrong birth dates typed with a good code before it is used up: a mistype or two pass, a search of the year does not. */
    static final int BIRTH_DATE_ATTEMPTS = 10;
    private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9.-]{2,39}");

    private final PortalAccountRepository accounts;
    private final AccessGateway gateway;
    private final AuditTrail audit;
    private final PatientFactors factors;
    private final SecretBox secrets;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final org.springframework.transaction.support.TransactionTemplate transaction;
    private final org.dossier.identity.SmartApps apps;
    /** Checked when no account has the username, so that a wrong username costs the time a wrong password does. */
    private volatile String noAccountHash;

    private final PatientService patients;
    private final PortalCodeMail mail;
    private final PortalSettings settings;
    private final PortalUsernames usernames;

    PortalAccounts(PortalAccountRepository accounts, AccessGateway gateway, AuditTrail audit, PatientFactors factors, SecretBox secrets,
                   Clock clock, org.springframework.transaction.support.TransactionTemplate transaction, PatientService patients,
                   PortalCodeMail mail, PortalSettings settings, org.dossier.identity.SmartApps apps, PortalUsernames usernames) {
        this.settings = settings;
        this.usernames = usernames;
        this.transaction = transaction;
        this.patients = patients;
        this.mail = mail;
        this.apps = apps;
        this.accounts = accounts;
        this.gateway = gateway;
        this.audit = audit;
        this.factors = factors;
        this.secrets = secrets;
        this.clock = clock;
    }

    /** A code shown once to the desk, to hand to the patient; only its hash is kept. */
    public record IssuedCode(String code, Instant expiresAt) {
    }

    /**
     * Issues an enrolment code for a registered patient: the front desk of the patient's facility only, decided and audited
     * by the gateway as a change of the patient's identity section. Earlier codes of the patient stop working.
     */
    @Transactional
    public IssuedCode issueCode(Actor actor, long patientId) {
        PatientAccess access = gateway.write(actor, patientId, Section.IDENTITY, AuditAction.CREATE, AuditResource.PortalEnrolment,
                patientId, "portal enrolment code to hand over at the desk", Role.FRONT_DESK);
        access.patient().requireActive();
        if (!settings.of(access.patient().facilityId()).deskCodes()) {
            audit.append(AuditRecord.at(clock.instant()).actor(actor).facility(access.patient().facilityId()).action(AuditAction.CREATE)
                    .patient(patientId).resource(AuditResource.PortalEnrolment, patientId)
                    .decision(AuditRecord.Decision.DENY, AuditReason.FACILITY_POLICY)
                    .detail("a code handed over at the desk refused: this facility sends enrolment codes by e-mail only")
                    .request(org.slf4j.MDC.get("requestId")).build());
            throw new ForbiddenException("This facility sends enrolment codes to the patient's e-mail only, so that no one at "
                    + "the desk holds one: use \"Send a code to the patient's e-mail\" (a qualified identity with an e-mail on record)");
        }
        return newCode(access, actor, Delivery.DESK);
    }

    /** What the desk's page shows: the patient's account, and which ways of giving a code this facility and server allow. */
    public record DeskState(Optional<String> status, boolean deskCodes, boolean mail) {
    }

    /** The desk's view of a patient's portal enrolment: a read of the identity section, decided and audited by the gateway. */
    public DeskState deskState(Actor actor, long patientId) {
        PatientAccess access = gateway.read(actor, patientId, Section.IDENTITY, AuditResource.PortalAccount, patientId);
        return new DeskState(accounts.accountStatus(access), settings.of(access.patient().facilityId()).deskCodes(), mail.available());
    }

    /** A code sent to the patient's e-mail: the desk learns where it went, never the code. */
    public record MailedCode(String sentTo, Instant expiresAt) implements java.io.Serializable {
    }

    /** Whether this server can send codes by e-mail (a mail relay is configured). */
    public boolean mailAvailable() {
        return mail.available();
    }

    /**
     * Sends an enrolment code to the e-mail address on the record of a patient whose identity is qualified (ADR 0049), so
     * that no one at the desk ever holds it. Decided and audited like a code handed over; a relay that refuses the message
     * leaves no code (and the earlier code still works).
     */
    @Transactional
    public MailedCode mailCode(Actor actor, long patientId) {
        if (!mail.available()) {
            throw new ConflictException("mail-not-configured", "This server has no mail relay configured, so codes cannot be "
                    + "sent by e-mail: hand a code over at the desk, or ask IT to set spring.mail.host");
        }
        PatientAccess access = gateway.write(actor, patientId, Section.IDENTITY, AuditAction.CREATE, AuditResource.PortalEnrolment,
                patientId, "portal enrolment code to send by e-mail", Role.FRONT_DESK);
        access.patient().requireActive();
        PatientData record = patients.read(access).data();
        if (record.identityStatus() != IdentityStatus.QUALIFIED) {
            throw new ConflictException("identity-not-qualified", "A code is sent only to the contact of a qualified identity "
                    + "(INS checked against an identity document); this identity is " + record.identityStatus()
                    + ": qualify it first, or hand a code over at the desk");
        }
        String to = record.emails().stream().filter(e -> "home".equalsIgnoreCase(e.use())).findFirst()
                .or(() -> record.emails().stream().findFirst()).map(PatientData.Email::address)
                .orElseThrow(() -> new ConflictException("no-email", "The record has no e-mail address: add the one the patient "
                        + "gives you, or hand a code over at the desk"));
        IssuedCode issued = newCode(access, actor, Delivery.MAIL);
        try {
            mail.send(to, issued.code(), issued.expiresAt());
        } catch (org.springframework.mail.MailException e) {
            throw new ConflictException("mail-not-sent", "The hospital's mail relay did not take the message, so no code was "
                    + "issued and any earlier code still works: try again later, or hand a code over at the desk");
        }
        return new MailedCode(masked(to), issued.expiresAt());
    }

    /** How a code reached the patient, kept with it so that a later enrolment's case says whether anyone at the desk saw it. */
    enum Delivery { DESK, MAIL }

    private IssuedCode newCode(PatientAccess access, Actor actor, Delivery delivery) {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            code.append(i > 0 && i % 4 == 0 ? "-" : "").append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        Instant now = clock.instant();
        Instant expires = now.plus(CODE_LIFETIME);
        // A new code ends what the patient's current account signed in to: its sessions (sessions_from) and its apps' tokens.
        accounts.currentAccounts(access.patientId()).forEach(apps::revokePatientApps);
        accounts.issueCode(access, hash(code.toString()), actor.staffId(), delivery, now, expires);
        return new IssuedCode(code.toString(), expires);
    }

    /** j•••@example.org: enough for the desk to confirm the address with the patient, not to copy it. */
    static String masked(String address) {
        int at = address.lastIndexOf('@');
        return at <= 0 ? "•••" : address.charAt(0) + "•••" + address.substring(at);
    }

    /** An enrolment under way: the secret to add to an authenticator app, shown once, and its QR code. */
    public record Enrolment(long accountId, String username, String secret, String otpauthUri, String qrCode) {
    }

    /**
     * First step of enrolment: the code and the birth date on the record, a username and a password. Wrong codes are
     * throttled per address like failed sign-ins; the code is used up here, and the account waits for its authenticator.
     * No one is signed in yet, so the steps run as the server's own work, in one transaction opened inside that scope (a
     * transaction opened before would hold a connection that sees no patient row).
     */
    public Enrolment enrol(String code, LocalDate birthDate, String username, String password, String address, String agent) {
        factors.throttle(null, address);
        String name = PortalUsernames.normalised(username);
        List<FieldError> errors = new ArrayList<>();
        if (!USERNAME.matcher(name).matches()) {
            errors.add(new FieldError("username", "must be 3 to 40 characters: lower-case letters, digits, '.' or '-', starting with a letter"));
        }
        String problem = factors.passwordProblem(password, List.of(name));
        if (problem != null) {
            errors.add(new FieldError("password", problem));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant now = clock.instant();
        PortalAccountRepository.Code found = FacilityScope.asSystem(() -> accounts.code(hash(normalised(code)), now))
                .filter(PortalAccountRepository.Code::usable).orElse(null);
        if (found == null || !FacilityScope.asSystem(() -> accounts.birthDate(found.patientId()).map(d -> d.equals(birthDate)).orElse(false))) {
            factors.failed(null, address);
            if (found != null) {
                wrongBirthDate(found, address, agent, now);
            }
            throw new InvalidInputException("code", "this code and birth date do not match an enrolment code that is still valid: "
                    + "ask the hospital's front desk for a new code");
        }
        // The patient's own names, known once the code is: not in their password, as a staff member's are not in theirs.
        String named = factors.passwordProblem(password, FacilityScope.asSystem(() -> accounts.names(found.patientId())));
        if (named != null) {
            throw new InvalidInputException("password", named);
        }
        // The name's tokens under every facility's key, made before the transaction: a data key a token needs is created and
        // kept then, never inside a transaction that may roll back.
        PortalUsernames.Tokens tokens = FacilityScope.asSystem(() -> usernames.tokensFor(name, found.facilityId()));
        try {
            return FacilityScope.asSystem(() -> transaction.execute(tx -> start(found, name, tokens, password, address, agent, now)));
        } catch (org.springframework.dao.DuplicateKeyException e) {
            // Two enrolments racing for one username (or for one patient): the loser is told, not answered 500.
            throw new InvalidInputException("username", "is taken: choose another");
        }
    }

    /** A usable code with a wrong birth date: counted on the code (used up at the limit), and written to the patient's trail. */
    private void wrongBirthDate(PortalAccountRepository.Code code, String address, String agent, Instant now) {
        int failures = FacilityScope.asSystem(() -> accounts.failedBirthDate(code.id(), BIRTH_DATE_ATTEMPTS, now));
        audit.append(entry(now, null, "enrolment-code-" + code.id(), address, agent).facility(code.facilityId()).action(AuditAction.PORTAL_ENROLMENT)
                .patient(code.patientId()).resource(AuditResource.PortalEnrolment, code.patientId()).decision(AuditRecord.Decision.DENY, null)
                .detail("wrong birth date with a valid enrolment code (" + failures + " of " + BIRTH_DATE_ATTEMPTS
                        + (failures >= BIRTH_DATE_ATTEMPTS ? "; the code is used up)" : ")")).build());
    }

    private Enrolment start(PortalAccountRepository.Code code, String username, PortalUsernames.Tokens tokens, String password,
                            String address, String agent, Instant now) {
        if (accounts.usernameTaken(username, tokens.everywhere(), code.patientId())) {
            throw new InvalidInputException("username", "is taken: choose another");
        }
        if (!accounts.useCode(code.id(), now)) {
            throw new InvalidInputException("code", "this code was just used: ask the hospital's front desk for a new one");
        }
        String secret = factors.newTotpSecret();
        Optional<PortalAccountRepository.Account> earlier = accounts.supersede(code.patientId(), now);
        long id = accounts.enrol(code, username, tokens.own(), factors.hash(password), secrets.seal(secret), now);
        // The superseded account's apps lose their tokens with it (they would be refused anyway: it is no longer active).
        earlier.ifPresent(a -> apps.revokePatientApps(a.id()));
        audit.append(entry(now, id, address, agent).facility(code.facilityId()).action(AuditAction.PORTAL_ENROLMENT)
                .patient(code.patientId()).resource(AuditResource.PortalAccount, id).decision(AuditRecord.Decision.INFO, null)
                .detail("enrolled with code " + code.id() + " " + accounts.origin(code.id())
                        + earlier.map(a -> "; supersedes " + a.status() + " account " + a.id()).orElse("") + "; authenticator to confirm").build());
        earlier.filter(a -> a.status().equals("ACTIVE")).ifPresent(a -> enrolledOverActive(a, code, id, address, agent, now));
        String[] qr = factors.totpEnrolment(username, secret);
        return new Enrolment(id, username, secret, qr[0], qr[1]);
    }

    /**
     * Enrolling over an active account is what an impostor at the desk does (and a patient who lost their phone): the
     * security officer's queue gets a case, opened by the system, naming the staff account that issued the code (ADR 0039).
     * The note is the officer's (with account numbers, never the username the patient chose: ADR 0058); the patient is told
     * the issuer's roles and units only (ADR 0044).
     */
    private void enrolledOverActive(PortalAccountRepository.Account earlier, PortalAccountRepository.Code code, long id,
                                    String address, String agent, Instant now) {
        Long issuer = accounts.issuer(code.id()).orElse(null);
        String origin = accounts.origin(code.id());
        String note = "Opened by the system: the patient's active portal account " + earlier.id()
                + " was replaced by a new enrolment, account " + id + ", with a code " + origin
                + ". Check with the patient that they enrolled again.";
        long caseId = accounts.openSystemCase(code.patientId(), code.facilityId(), earlier.id(), note, issuer, now);
        audit.append(entry(now, id, address, agent).facility(code.facilityId()).action(AuditAction.CREATE)
                .patient(code.patientId()).resource(AuditResource.PortalCase, caseId).decision(AuditRecord.Decision.INFO, null)
                .detail("opened by the system: enrolled again over active account " + earlier.id() + "; code " + origin).build());
    }

    /** Whether a signed-in session may go on: its account still the patient's active one, and no code issued since the sign-in. */
    public boolean sessionValid(PortalPrincipal p) {
        return FacilityScope.asSystem(() -> accounts.sessionValid(p.accountId(), p.secondFactorAt()));
    }

    /** Second step of enrolment: a first code from the authenticator proves it holds the secret; the account is then active. */
    public void confirmAuthenticator(long accountId, String code, String address, String agent) {
        factors.throttle(null, address);
        FacilityScope.asSystem(() -> transaction.executeWithoutResult(tx -> {
            PortalAccountRepository.Account account = accounts.byId(accountId).filter(a -> a.status().equals("PENDING"))
                    .orElseThrow(() -> new InvalidInputException("code", "this enrolment is no longer waiting: sign in, or start again"));
            if (!acceptCode(account, code)) {
                factors.failed(null, address);
                // The trail's writer has its own connection: this entry stays though the transaction rolls back.
                audit.append(entry(clock.instant(), accountId, address, agent).facility(account.facilityId())
                        .action(AuditAction.PORTAL_ENROLMENT).patient(account.patientId()).resource(AuditResource.PortalAccount, accountId)
                        .decision(AuditRecord.Decision.DENY, null).detail("wrong authenticator code at enrolment").build());
                throw new InvalidInputException("code", "this is not the current code of your authenticator app: try the next one");
            }
            Instant now = clock.instant();
            accounts.activate(accountId, now);
            audit.append(entry(now, accountId, address, agent).facility(account.facilityId())
                    .action(AuditAction.PORTAL_ENROLMENT).patient(account.patientId()).resource(AuditResource.PortalAccount, accountId)
                    .decision(AuditRecord.Decision.INFO, null).detail("authenticator confirmed: account active").build());
        }));
    }

    /**
     * The password step of a sign-in: the account it opens, or 401 (throttled, audited) whatever was wrong. The throttle
     * counts under a keyed hash of the typed name, never the name (ADR 0058).
     */
    public long checkPassword(String username, String password, String address, String agent) {
        String name = PortalUsernames.normalised(username);
        String key = usernames.throttleKey(name);
        factors.throttle(key, address);
        Optional<PortalAccountRepository.Account> account = FacilityScope.asSystem(() -> accounts.byUsername(name))
                .filter(a -> a.status().equals("ACTIVE"));
        boolean good = factors.matches(password, account.map(PortalAccountRepository.Account::passwordHash).orElseGet(this::noAccountHash))
                && account.isPresent();
        if (!good) {
            refused(key, account, address, agent, "wrong username or password");
        }
        return account.get().id();
    }

    private String noAccountHash() {
        if (noAccountHash == null) {
            noAccountHash = factors.hash(factors.newTotpSecret());
        }
        return noAccountHash;
    }

    /** The second step: a current authenticator code, accepted once. The patient is then signed in. */
    public PortalPrincipal checkCode(long accountId, String code, String address, String agent) {
        return codeChecked(accountId, code, address, agent, null);
    }

    /**
     * The signed-in patient types their authenticator's code again before a download (a step-up): checked, throttled and
     * audited as a sign-in's second step, the entry saying it was a confirmation.
     */
    public void confirm(PortalPrincipal p, String code, String address, String agent) {
        codeChecked(p.accountId(), code, address, agent, "confirmed again before a download (step-up)");
    }

    private PortalPrincipal codeChecked(long accountId, String code, String address, String agent, String detail) {
        PortalAccountRepository.Account account = FacilityScope.asSystem(() -> accounts.byId(accountId))
                .filter(a -> a.status().equals("ACTIVE")).orElseThrow(() -> new UnauthorizedException("Sign in again"));
        String key = usernames.throttleKey(account.username() == null ? PortalUsernames.label(accountId) : account.username());
        factors.throttle(key, address);
        if (!FacilityScope.asSystem(() -> acceptCode(account, code))) {
            refused(key, Optional.of(account), address, agent, "wrong or reused authenticator code");
        }
        factors.succeeded(key);
        Instant now = clock.instant();
        audit.append(entry(now, accountId, address, agent).facility(account.facilityId())
                .action(AuditAction.PORTAL_SIGN_IN).patient(account.patientId()).resource(AuditResource.PortalAccount, accountId)
                .decision(AuditRecord.Decision.INFO, null).detail(detail).build());
        return new PortalPrincipal(account.id(), PortalUsernames.label(account.id()), account.patientId(), account.facilityId(), now);
    }

    /**
     * The actor of a signed-in patient's request: the role PATIENT alone, confined to their own record, in their record's
     * facility, with a negative id that no staff account has. The gateway decides on it like on any actor (ADR 0039).
     */
    public Actor actor(PortalPrincipal p, String sessionRef, String address, String agent) {
        return actor(p, null, sessionRef, address, agent);
    }

    /**
     * The same, acting for a minor's record ({@code actingFor}, ADR 0050): the actor is still the guardian's account; only
     * the record it is confined to changes, and the gateway allows it (GUARDIAN) only through a held link, read each time.
     */
    public Actor actor(PortalPrincipal p, Long actingFor, String sessionRef, String address, String agent) {
        FacilityScope.set(Set.of(p.facilityId()));
        return new Actor(-p.accountId(), "patient:" + p.label(), Set.of(Role.PATIENT), Set.of(p.facilityId()), Set.of(),
                "portal:" + sessionRef, address, agent == null ? "" : agent, Actor.Channel.SESSION, p.secondFactorAt(),
                actingFor == null ? p.patientId() : actingFor);
    }

    /** A sign-out, written to the trail as the sign-in is (the session's end is the patient's own act). */
    public void signedOut(PortalPrincipal p, String address, String agent) {
        audit.append(entry(clock.instant(), p.accountId(), address, agent).facility(p.facilityId())
                .action(AuditAction.PORTAL_SIGN_OUT).patient(p.patientId()).resource(AuditResource.PortalAccount, p.accountId())
                .decision(AuditRecord.Decision.INFO, null).build());
    }

    private boolean acceptCode(PortalAccountRepository.Account account, String code) {
        OptionalLong step = factors.matchingStep(secrets.open(account.totpSecretSealed()), code, account.totpLastStep());
        return step.isPresent() && accounts.useStep(account.id(), step.getAsLong());
    }

    private void refused(String throttleKey, Optional<PortalAccountRepository.Account> account, String address, String agent, String why) {
        factors.failed(throttleKey, address);
        Instant now = clock.instant();
        audit.append(entry(now, account.map(a -> a.id()).orElse(null), address, agent)
                .facility(account.map(PortalAccountRepository.Account::facilityId).orElse(null)).action(AuditAction.PORTAL_SIGN_IN_FAILED)
                .patient(account.map(PortalAccountRepository.Account::patientId).orElse(null)).resource(AuditResource.PortalAccount, null)
                // no account answers the name: the keyed hash the throttle counts it under (never the name) lets the
                // security officer see many tries on one name
                .decision(AuditRecord.Decision.DENY, null).detail(account.isPresent() ? why : why + "; name " + throttleKey).build());
        throw new UnauthorizedException("Wrong username, password or code");
    }

    /**
     * An entry naming the patient's account as its actor (role PATIENT, id negative: no staff account has it), by its id
     * ("patient:portal-account-12"), never by the username the patient chose (ADR 0058); "patient:unknown" when no account
     * answers the name typed.
     */
    private static AuditRecord.Builder entry(Instant now, Long accountId, String address, String agent) {
        return entry(now, accountId, accountId == null ? "unknown" : PortalUsernames.label(accountId), address, agent);
    }

    private static AuditRecord.Builder entry(Instant now, Long accountId, String name, String address, String agent) {
        return AuditRecord.at(now).account(accountId == null ? null : -accountId, "patient:" + name).roles(Role.PATIENT.name())
                .from(address, agent).request(org.slf4j.MDC.get("requestId"));
    }

    static String normalised(String code) {
        return code == null ? "" : code.strip().toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    }

    static String hash(String code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(normalised(code).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
