package io.baton.standalone;

import io.baton.common.testing.TestServers;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium}, headless, driven through Debian's {@code chromedriver} with Selenium.
 * When either is missing the calling test is skipped with one loud line, or fails under {@code
 * CI=true} ({@link TestServers#unavailable}). The browser gets a fresh profile directory, removed
 * on {@link #close()}, and the flags that keep it off the network it would otherwise call (it
 * hangs on a closed network without them). What the page downloads is saved, without asking, in
 * {@link #downloads()}, a folder of that profile.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("baton.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("baton.chromedriver", "/usr/bin/chromedriver"));

    private final Path profile;
    private final Path downloads;
    private final ChromeDriver driver;

    private HeadlessChromium(Path profile, Path downloads, ChromeDriver driver) {
        this.profile = profile;
        this.downloads = downloads;
        this.driver = driver;
    }

    /** A new browser, or a skip (a failure under CI) when chromium or chromedriver is missing. */
    static HeadlessChromium start() {
        for (Path binary : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(binary)) {
                TestServers.unavailable("BROWSER", binary + " is missing: the browser test needs Debian's chromium "
                        + "and chromium-driver (apt-get install chromium chromium-driver)");
            }
        }
        Path profile;
        Path downloads;
        try {
            profile = Files.createTempDirectory("baton-chromium-");
            downloads = Files.createDirectory(profile.resolve("downloads"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1024", "--user-data-dir=" + profile);
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return new HeadlessChromium(profile, downloads, driver);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Where the browser saves downloads (removed with the profile on {@link #close()}). */
    Path downloads() {
        return downloads;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
