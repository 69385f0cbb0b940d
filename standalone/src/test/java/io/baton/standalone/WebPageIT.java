package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.gateway.summarize.SummaryResponse;
import java.nio.charset.StandardCharsets;
import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The web page in headless Chromium against the standalone server (gemma2-tiny, in-memory store):
 * a user uploads a text file of several hundred sentences, starts a summary, watches the progress
 * bar move through the event stream, and gets the summary with its sentences highlighted in the
 * document. A refused request shows the problem detail.
 */
class WebPageIT {

    /** About 360 sentences (40,000 characters, some of them not ASCII) of Moby Dick, ~160 segments. */
    static final String TEXT = Standalone.mobyDick(200_000, 40_000);
    static final int SENTENCES = 4;
    static final Duration RUN_DEADLINE = Duration.ofMinutes(3);

    static HeadlessChromium browser;
    static ChromeDriver driver;
    static String page;

    @BeforeAll
    static void start() {
        browser = HeadlessChromium.start();
        driver = browser.driver();
        page = "http://127.0.0.1:" + Standalone.port();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void open() {
        driver.get(page + "/");
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.elementToBeClickable(By.id("start")));
    }

    @Test
    void anUploadedDocumentIsSummarizedWithLiveProgressAndHighlightedSentences(@TempDir Path folder)
            throws Exception {
        Path file = folder.resolve("moby-dick-part.txt");
        Files.writeString(file, TEXT, StandardCharsets.UTF_8);

        driver.findElement(By.id("file")).sendKeys(file.toString());
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d ->
                TEXT.equals(d.findElement(By.id("document")).getDomProperty("value")));
        assertThat(driver.findElement(By.id("file-status")).getText()).contains("moby-dick-part.txt");
        WebElement sentences = driver.findElement(By.id("sentences"));
        sentences.clear();
        sentences.sendKeys(String.valueOf(SENTENCES));

        // Every value the bar takes, in order, recorded by the test (not the page) as it changes.
        driver.executeScript("""
                window.progressValues = [];
                const bar = document.getElementById('progress');
                new MutationObserver(records => records.forEach(r =>
                        window.progressValues.push(Number(r.target.getAttribute('value')))))
                    .observe(bar, {attributes: true, attributeFilter: ['value']});
                """);
        driver.findElement(By.id("start")).click();

        new WebDriverWait(driver, RUN_DEADLINE).until(ExpectedConditions.visibilityOfElementLocated(By.id("result")));
        // The observer's last records are delivered after the task that made them.
        @SuppressWarnings("unchecked")
        List<Number> values = (List<Number>) driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; setTimeout(() => done(window.progressValues), 0);");
        List<Double> percents = values.stream().map(Number::doubleValue).toList();
        assertThat(percents).as("the progress bar's values").isNotEmpty();
        assertThat(percents).anySatisfy(v -> assertThat(v).isStrictlyBetween(0.0, 100.0));
        assertThat(percents.get(percents.size() - 1)).isEqualTo(100.0);
        assertThat(percents).isSortedAccordingTo(Double::compare);
        assertThat(driver.findElement(By.id("progress-text")).getText()).startsWith("Done: ").contains("segments");
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();

        // The same picks as the API gives for the same text, in document order, each highlighted.
        SummaryResponse expected = WebTestClient.bindToServer().baseUrl(page).responseTimeout(RUN_DEADLINE)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build()
                .post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT, "sentences", SENTENCES))
                .exchange().expectStatus().isOk()
                .expectBody(SummaryResponse.class).returnResult().getResponseBody();
        assertThat(expected.sentences()).hasSize(SENTENCES);
        List<String> marked = driver.findElements(By.cssSelector("#highlighted mark")).stream()
                .map(mark -> (String) mark.getDomProperty("textContent")).toList();
        assertThat(marked).containsExactlyElementsOf(expected.sentences().stream().map(SummaryResponse.Sentence::text)
                .toList());
        List<String> listed = driver.findElements(By.cssSelector("#summary-sentences li")).stream()
                .map(WebElement::getText).toList();
        assertThat(listed).containsExactlyElementsOf(expected.sentences().stream()
                .map(s -> s.text().replaceAll("\\s+", " ")).toList());
        // The highlighted view is the whole document, unchanged around the marks.
        assertThat((String) driver.findElement(By.id("highlighted")).getDomProperty("textContent")).isEqualTo(TEXT);
        // Numbers are shown in the browser's locale; compare digits only.
        assertThat(driver.findElement(By.id("stats")).getText().replaceAll("[^0-9A-Za-z]", ""))
                .contains("from" + expected.stats().tokens() + "tokens");
    }

    @Test
    void aFiveMegabyteFileIsTakenAndItsRunCanBeCancelled(@TempDir Path folder) throws Exception {
        String large = Standalone.fiveMegabytes();
        Path file = folder.resolve("five-megabytes.txt");
        Files.writeString(file, large, StandardCharsets.UTF_8);
        driver.findElement(By.id("file")).sendKeys(file.toString());
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> ((Number) driver.executeScript(
                "return document.getElementById('document').value.length")).longValue() == large.length());

        driver.findElement(By.id("start")).click();
        // Taken: the server reads the whole body (no 413) and the progress bar starts to move.
        new WebDriverWait(driver, RUN_DEADLINE).until(d -> Double.parseDouble(
                d.findElement(By.id("progress")).getDomAttribute("value")) > 0);
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();

        driver.findElement(By.id("cancel")).click();
        DocumentGate gate = Standalone.context().getBean(DocumentPipeline.class).gate();
        await("the cancelled run lets go of the pipeline").atMost(Duration.ofMinutes(1))
                .until(() -> gate.inUse() == 0);
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.elementToBeClickable(By.id("start")));
        assertThat(driver.findElement(By.id("result")).isDisplayed()).isFalse();
    }

    @Test
    void aRefusedRequestShowsItsProblemDetail() {
        WebElement document = driver.findElement(By.id("document"));
        document.sendKeys("Call me Ishmael. Some years ago, never mind how long precisely, I went to sea.");
        driver.findElement(By.id("model")).sendKeys("no-such-model");
        driver.findElement(By.id("start")).click();

        WebElement error = new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getDomAttribute("role")).isEqualTo("alert");
        assertThat(driver.findElement(By.id("error-title")).getText()).isEqualTo("Unknown model");
        assertThat(driver.findElement(By.id("error-detail")).getText()).contains("no-such-model");
        assertThat(driver.findElement(By.id("error-fields")).getText())
                .contains("404", "urn:baton:problem:unknown-model", "/v1/summaries");
        assertThat(driver.findElement(By.id("result")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("start")).isEnabled()).isTrue();
    }
}
