package org.dossier.support;

import org.dossier.demo.DemoAccounts;
import org.dossier.identity.TotpService;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real headless Chromium driven by Selenium, against the test server. Without Chromium the browser tests are skipped
 * with a message naming the Debian packages; with {@code DOSSIER_REQUIRE_BROWSER=true} (set by .ci/run) a missing
 * browser fails instead, so that CI never passes by skipping them. Screenshots go to target/screenshots/.
 */
public final class Browser implements AutoCloseable {

    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String CHROMIUM = env("DOSSIER_CHROMIUM", "/usr/bin/chromium");
    private static final String DRIVER = env("DOSSIER_CHROMEDRIVER", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final String base;
    private final WebDriverWait wait;

    private Browser(ChromeDriver driver, String base) {
        this.driver = driver;
        this.base = base;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    /** Skips the calling test (or fails it on CI) when there is no Chromium to drive. */
    public static void requireChromium() {
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER));
        if (!present && "true".equalsIgnoreCase(System.getenv("DOSSIER_REQUIRE_BROWSER"))) {
            throw new AssertionError("Browser tests need Chromium: " + CHROMIUM + " and " + DRIVER
                    + " are missing (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(present, "SKIPPED browser tests: Chromium not found at " + CHROMIUM + " / " + DRIVER
                + " — install it with: apt-get install chromium chromium-driver");
    }

    /** A fresh browser (its own profile: no cookie, no cache) asking for pages in {@code language}. */
    public static Browser open(int port, String language) {
        requireChromium();
        try {
            Path profile = Files.createTempDirectory("dossier-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1280,900", "--lang=" + language, "--user-data-dir=" + profile);
            options.setExperimentalOption("prefs", Map.of("intl.accept_languages", language));
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
            return new Browser(new ChromeDriver(service, options), "http://localhost:" + port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public Browser go(String path) {
        driver.get(base + path);
        return this;
    }

    public String path() {
        return java.net.URI.create(driver.getCurrentUrl()).getPath();
    }

    public WebElement find(String css) {
        try {
            return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no visible " + css + " on " + path() + " — the page says: " + pageText(), e);
        }
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public boolean has(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    public Browser type(String css, String text) {
        WebElement field = find(css);
        field.clear();
        field.sendKeys(text);
        return this;
    }

    public Browser click(String css) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
        return this;
    }

    /** The element's text; read again when a navigation replaced the element between finding and reading it. */
    public String text(String css) {
        for (int attempt = 1; ; attempt++) {
            try {
                return find(css).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    public String pageText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    public void waitForPath(String prefix) {
        wait.until(d -> path().startsWith(prefix));
    }

    public void waitForPathEquals(String exact) {
        try {
            wait.until(d -> path().equals(exact));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("still on " + path() + " instead of " + exact + " — the page says: " + pageText(), e);
        }
    }

    public void waitForText(String css, String text) {
        try {
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no '" + text + "' in " + css + " on " + path() + " — the page says: " + pageText(), e);
        }
    }

    /**
     * Signs in with password and authenticator code, as a person would. A code is accepted once per account, so when
     * another test just used the current one, the next window's code is typed instead (the server accepts one step of
     * drift), and failing that the browser waits for the next window.
     */
    public Browser signIn(String username) {
        String secret = DemoAccounts.totpSecret(username);
        go("/signin").type("#username", username).type("#password", DemoAccounts.PASSWORD).click("#signin button[type=submit]");
        waitForPath("/signin/second-factor");
        for (int attempt = 0; attempt < 4; attempt++) {
            Instant at = attempt == 1 ? Instant.now().plusSeconds(30) : Instant.now();
            type("#code", TotpService.codeAt(secret, at)).click("#totp-form button[type=submit]");
            wait.until(d -> !path().equals("/signin/second-factor") || d.getCurrentUrl().contains("error"));
            if (!path().startsWith("/signin")) {
                return this;
            }
            if (attempt >= 1) {
                sleepToNextStep();
            }
            go("/signin/second-factor");
        }
        throw new AssertionError("could not sign in " + username + ": " + pageText());
    }

    /** A current authenticator code for a step-up or break-the-glass form. */
    public static String codeFor(String username, boolean nextWindow) {
        return TotpService.codeAt(DemoAccounts.totpSecret(username), nextWindow ? Instant.now().plusSeconds(30) : Instant.now());
    }

    /** Saves what the browser shows as target/screenshots/{name}.png. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every visible form control of the page has a label a screen reader announces. */
    public void assertEveryFieldLabelled() {
        @SuppressWarnings("unchecked")
        List<String> unlabelled = (List<String>) ((JavascriptExecutor) driver).executeScript("""
                return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
                  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
                  .map(e => e.outerHTML.substring(0, 120));""");
        assertThat(unlabelled).as("form controls without a label on " + path()).isEmpty();
    }

    /** Nothing was refused by the Content-Security-Policy, and no script failed, on the pages seen so far. */
    public void assertNoConsoleErrors() {
        List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // a page that answers 4xx on purpose (a refusal shown to the user) is logged by Chromium as a failed resource
                .filter(m -> !m.contains("Failed to load resource")).toList();
        assertThat(errors).as("browser console errors (CSP violations, script errors)").isEmpty();
    }

    public void clearCookies() {
        driver.manage().deleteAllCookies();
    }

    @Override
    public void close() {
        driver.quit();
    }

    private static void sleepToNextStep() {
        try {
            Thread.sleep(30_000 - (System.currentTimeMillis() % 30_000) + 300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
