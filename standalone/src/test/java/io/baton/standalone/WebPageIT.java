package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.gateway.pipeline.DocumentGate;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.summarize.SummaryResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web page in headless Chromium against the standalone server (gemma2-tiny, in-memory store):
 * a user uploads a text file of several hundred sentences, starts a summary, watches the progress
 * bar move through the event stream, and gets the summary with its sentences highlighted in the
 * document. A refused request shows the problem detail.
 *
 * <p>The jobs view: a file of requests is submitted and its job shown with a progress bar that
 * follows it to {@code completed}; its results download as {@code <job id>.jsonl} (read from the
 * browser's download folder); a malformed file shows the 400 problem naming its line; a job
 * cancelled while it runs goes {@code cancelling}, then {@code cancelled}, and keeps the results
 * finished before; with an API key entered the page follows a job by polling, sending the key.
 */
class WebPageIT {

    /** About 360 sentences (40,000 characters, some of them not ASCII) of Moby Dick, ~160 segments. */
    static final String TEXT = Standalone.mobyDick(200_000, 40_000);
    static final int SENTENCES = 4;
    static final Duration RUN_DEADLINE = Duration.ofMinutes(3);
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Pattern SUBMITTED = Pattern.compile("Job ([0-9a-f-]{36}) submitted");

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

    @Test
    void aJobOfThreeRequestsRunsToCompletedWithAFailedOneAndItsResultsDownload(@TempDir Path folder)
            throws Exception {
        Path file = requestsFile(folder, "three.jsonl", List.of(
                request("ishmael", Standalone.mobyDick(200_000, 2_000)),
                request("empty", ""),
                request("whale", Standalone.mobyDick(210_000, 3_000), "sentences", 2)));

        recordCalls();
        String id = submit(file);
        assertThat(driver.findElement(By.id("jobs-status")).getText()).contains("three.jsonl", "3 requests");
        WebElement job = job(id);
        assertThat(job.getText()).contains(id);
        new WebDriverWait(driver, RUN_DEADLINE).until(d -> "completed".equals(status(id)));
        assertThat(job.findElement(By.className("job-counts")).getText())
                .contains("3 of 3 requests finished", "2 completed", "1 failed", "0 cancelled");
        WebElement bar = job.findElement(By.className("job-progress"));
        assertThat(bar.getDomAttribute("value")).isEqualTo("3");
        assertThat(bar.getDomAttribute("max")).isEqualTo("3");
        assertThat(job.findElement(By.className("job-cancel")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("jobs-error")).isDisplayed()).isFalse();
        // Without a key the job was followed through its event stream, not polled.
        assertThat(recorded("eventSources")).contains("v1/jobs/" + id + "/events");
        assertThat(recorded("fetches")).doesNotContain("v1/jobs/" + id);

        Map<String, JsonNode> results = download(job, id, 3);
        assertThat(results.keySet()).containsExactlyInAnyOrder("ishmael", "empty", "whale");
        assertThat(results.get("ishmael").path("summary").asString()).isNotBlank();
        assertThat(results.get("ishmael").path("sentences").size()).isPositive();
        assertThat(results.get("whale").path("sentences").size()).isEqualTo(2);
        assertThat(results.get("empty").path("error").path("type").asString())
                .isEqualTo("urn:baton:problem:empty-text");
        assertThat(results.get("empty").has("summary")).isFalse();

        // Delete asks first; then the job leaves the page, and the server has it no more.
        job.findElement(By.className("job-delete")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent()).accept();
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> jobs(id).isEmpty());
        assertThat(driver.findElement(By.id("jobs-status")).getText()).isEqualTo("Job " + id + " deleted.");
        Standalone.client().get().uri("/v1/jobs/{id}", id).exchange().expectStatus().isNotFound();
    }

    @Test
    void aMalformedFileShowsTheProblemNamingItsLine(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("malformed.jsonl");
        Files.writeString(file, JSON.writeValueAsString(request("fine", "Call me Ishmael.")) + "\n"
                + "{\"customId\": \"broken\", \"text\": \n", StandardCharsets.UTF_8);
        List<String> before = jobsOnTheServer();

        driver.findElement(By.id("jobs-file")).sendKeys(file.toString());
        driver.findElement(By.id("jobs-submit")).click();

        WebElement error = new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("jobs-error")));
        assertThat(error.getDomAttribute("role")).isEqualTo("alert");
        assertThat(driver.findElement(By.id("jobs-error-title")).getText()).isEqualTo("Invalid job request");
        assertThat(driver.findElement(By.id("jobs-error-detail")).getText()).startsWith("line 2: ");
        assertThat(fields(By.id("jobs-error-fields"))).containsEntry("status", "400")
                .containsEntry("type", "urn:baton:problem:invalid-job-request").containsEntry("line", "2");
        assertThat(driver.findElement(By.id("jobs-status")).getText()).doesNotContain("submitted");
        assertThat(jobsOnTheServer()).as("the server's jobs").isEqualTo(before);
        // The summary view's problem box is its own.
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
    }

    @Test
    void aCancelledJobGoesCancellingThenCancelledAndKeepsItsFinishedResults(@TempDir Path folder) throws Exception {
        // Two short requests run first (the queue is first in, first out) and finish; four of
        // 200,000 characters each (about 800 segments) are still running or queued when the test
        // cancels, which it does as soon as the page shows the two finished.
        List<Map<String, Object>> requests = new ArrayList<>(List.of(
                request("short-1", Standalone.mobyDick(50_000, 1_500)),
                request("short-2", Standalone.mobyDick(52_000, 1_500))));
        for (int i = 0; i < 4; i++) {
            requests.add(request("long-" + i, Standalone.mobyDick(100_000 + i * 200_000, 200_000)));
        }
        String id = submit(requestsFile(folder, "long.jsonl", requests));
        WebElement job = job(id);
        new WebDriverWait(driver, RUN_DEADLINE).until(d ->
                job.findElement(By.className("job-counts")).getText().contains("2 completed"));
        assertThat(status(id)).isEqualTo("in progress");

        job.findElement(By.className("job-cancel")).click();
        // The cancel's answer: running requests stop at their next segment.
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> Set.of("cancelling", "cancelled")
                .contains(status(id)));
        String answered = status(id);
        assertThat(job.findElement(By.className("job-cancel")).isDisplayed()).isFalse();
        new WebDriverWait(driver, RUN_DEADLINE).until(d -> "cancelled".equals(status(id)));
        assertThat(answered).as("the status the cancel's answer showed, with requests running").isEqualTo("cancelling");
        assertThat(job.findElement(By.className("job-counts")).getText())
                .contains("6 of 6 requests finished", "2 completed", "0 failed", "4 cancelled");
        assertThat(driver.findElement(By.id("jobs-error")).isDisplayed()).isFalse();

        Map<String, JsonNode> results = download(job, id, 6);
        for (String done : List.of("short-1", "short-2")) {
            assertThat(results.get(done).path("summary").asString()).as(done).isNotBlank();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(results.get("long-" + i).path("error").path("type").asString()).as("long-" + i)
                    .isEqualTo("urn:baton:problem:job-cancelled");
        }
    }

    @Test
    void withAnApiKeyAJobIsFollowedByPollingThatSendsTheKey(@TempDir Path folder) throws Exception {
        // EventSource cannot send a header: with a key the page polls GET /v1/jobs/{id} instead.
        // The shared server is open (it does not look at keys), so what is checked is what the
        // page sends: every jobs call with the key, and no event stream opened.
        recordCalls();
        driver.findElement(By.id("api-key")).sendKeys("a-key-of-the-page-test");
        // A JSON array is taken too.
        Path file = folder.resolve("two.json");
        Files.writeString(file, JSON.writeValueAsString(List.of(request("one", Standalone.mobyDick(60_000, 1_500)),
                request("two", Standalone.mobyDick(62_000, 1_500)))), StandardCharsets.UTF_8);

        String id = submit(file);
        new WebDriverWait(driver, RUN_DEADLINE).until(d -> "completed".equals(status(id)));
        assertThat(job(id).findElement(By.className("job-counts")).getText()).contains("2 completed", "0 failed");

        assertThat(recorded("eventSources")).isEmpty();
        assertThat(recorded("fetches")).contains("v1/jobs", "v1/jobs/" + id);
        assertThat(recorded("keys")).containsOnly("a-key-of-the-page-test");
    }

    /**
     * Records, from now on, the URL of every {@code fetch} and every {@code EventSource} the page
     * opens under {@code v1/jobs}, and the {@code X-API-Key} each fetch sent (empty: none).
     */
    private static void recordCalls() {
        driver.executeScript("""
                window.recorded = {fetches: [], keys: [], eventSources: []};
                const fetchBefore = window.fetch;
                window.fetch = (url, init) => {
                    if (String(url).startsWith('v1/jobs')) {
                        window.recorded.fetches.push(String(url));
                        window.recorded.keys.push(((init && init.headers) || {})['X-API-Key'] || '');
                    }
                    return fetchBefore(url, init);
                };
                const EventSourceBefore = window.EventSource;
                window.EventSource = class extends EventSourceBefore {
                    constructor(url, options) {
                        super(url, options);
                        window.recorded.eventSources.push(String(url));
                    }
                };
                """);
    }

    @SuppressWarnings("unchecked")
    private static List<String> recorded(String what) {
        return (List<String>) driver.executeScript("return window.recorded[arguments[0]]", what);
    }

    /** Chooses {@code file} in the jobs view, submits it, and returns the id of the job the page shows. */
    private static String submit(Path file) {
        driver.findElement(By.id("jobs-file")).sendKeys(file.toString());
        driver.findElement(By.id("jobs-submit")).click();
        String text = new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> {
            String status = d.findElement(By.id("jobs-status")).getText();
            return SUBMITTED.matcher(status).find() ? status : null;
        });
        Matcher matcher = SUBMITTED.matcher(text);
        assertThat(matcher.find()).isTrue();
        String id = matcher.group(1);
        assertThat(jobs(id)).as("job %s on the page", id).hasSize(1);
        return id;
    }

    /** The ids of the tenant's jobs (the first 100), as the API lists them. */
    private static List<String> jobsOnTheServer() {
        JsonNode page = JSON.readTree(Standalone.client().get().uri("/v1/jobs?limit=100").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        List<String> ids = new ArrayList<>();
        page.path("jobs").forEach(job -> ids.add(job.path("id").asString()));
        return ids;
    }

    private static List<WebElement> jobs(String id) {
        return driver.findElements(By.cssSelector("#job-list li[data-job-id='" + id + "']"));
    }

    private static WebElement job(String id) {
        return driver.findElement(By.cssSelector("#job-list li[data-job-id='" + id + "']"));
    }

    /** The status the page shows for job {@code id}. */
    private static String status(String id) {
        return job(id).findElement(By.className("job-status")).getText();
    }

    /**
     * Clicks the job's Download button and reads the file the browser saved as {@code <id>.jsonl}:
     * {@code lines} JSON lines, by their {@code customId}.
     */
    private static Map<String, JsonNode> download(WebElement job, String id, int lines) throws Exception {
        Path saved = browser.downloads().resolve(id + ".jsonl");
        job.findElement(By.className("job-download")).click();
        // The browser writes a .crdownload file and renames it when it is complete.
        await("the download of " + saved.getFileName()).atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(saved));
        List<String> content = Files.readAllLines(saved, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        assertThat(content).hasSize(lines);
        assertThat(driver.findElement(By.id("jobs-status")).getText())
                .isEqualTo("Saved " + lines + " result lines as " + id + ".jsonl.");
        return content.stream().map(JSON::readTree).collect(Collectors.toMap(
                line -> line.path("customId").asString(), Function.identity()));
    }

    private static Path requestsFile(Path folder, String name, List<Map<String, Object>> requests) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (Map<String, Object> request : requests) {
            lines.append(JSON.writeValueAsString(request)).append('\n');
        }
        return Files.writeString(folder.resolve(name), lines, StandardCharsets.UTF_8);
    }

    private static Map<String, Object> request(String customId, String text, Object... more) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("customId", customId);
        request.put("text", text);
        for (int i = 0; i < more.length; i += 2) {
            request.put((String) more[i], more[i + 1]);
        }
        return request;
    }

    /** A problem box's fields ({@code <dt>} name, {@code <dd>} value). */
    private static Map<String, String> fields(By list) {
        List<WebElement> terms = driver.findElement(list).findElements(By.tagName("dt"));
        List<WebElement> values = driver.findElement(list).findElements(By.tagName("dd"));
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < terms.size(); i++) {
            fields.put(terms.get(i).getText(), values.get(i).getText());
        }
        return fields;
    }
}
