package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.e2e.SameSummary;
import io.baton.gateway.jobs.JobView;
import io.baton.gateway.jobs.JobWorker;
import io.baton.gateway.jobs.store.JobStatus;
import io.baton.gateway.jobs.store.RequestRef;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batch jobs in standalone mode (in-process queue, in-memory job store), over real HTTP with the
 * zoo's gemma2-tiny. Every slice here is one segment long ({@code baton.jobs.slice=0s}: a slice
 * runs until its first recorded segment), so every request of more than a segment or two pauses,
 * is continued from a new message and resumes from its recorded answers: what a worker's death or a
 * long document does in distributed mode. Its summary must still be the one {@code POST
 * /v1/summaries} gives.
 */
class JobsApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY_A = "key-of-tenant-a-0123456789";
    private static final String KEY_B = "key-of-tenant-b-0123456789";

    static ConfigurableApplicationContext context;
    static WebTestClient a;
    static WebTestClient b;

    @BeforeAll
    static void start() {
        context = BatonStandalone.application().run("--server.port=0", "--spring.main.banner-mode=off",
                "--baton.models.default-model=" + Standalone.FIXTURE_MODEL,
                "--baton.access.api-keys[tenant-a]=" + KEY_A, "--baton.access.api-keys[tenant-b]=" + KEY_B,
                "--baton.jobs.slice=0s", "--baton.jobs.consumers=1", "--baton.jobs.prefetch=2",
                "--baton.jobs.event-interval=200ms");
        String base = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
        a = Standalone.client(base).mutate().defaultHeader("X-API-Key", KEY_A).build();
        b = Standalone.client(base).mutate().defaultHeader("X-API-Key", KEY_B).build();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void eachResultIsTheSummaryOfTheSameRequestAlthoughEveryRequestWasResumedSegmentBySegment() {
        // With a slice of 0 s a request may pause whenever the pipeline pulls its next segments, so the
        // resumptions grow with the segments. The exact cut (the default since issue 16) packs a text into
        // fewer segments than the sentence cut did, and 3,000 + 5,000 words then gave 9 resumptions (sentence
        // cut: more than 10); the texts are longer for that.
        List<Map<String, Object>> requests = List.of(
                Map.of("customId", "moby-1", "text", Standalone.mobyDick(200_000, 3_500), "sentences", 3),
                Map.of("customId", "moby-2", "text", Standalone.mobyDick(300_000, 5_700), "words", 60),
                Map.of("customId", "short", "text", "A short text. It has three sentences. This is the last."),
                Map.of("customId", "empty", "text", " "),
                Map.of("customId", "no-model", "text", "Some text.", "model", "no-such-model"));
        double resumedBefore = resumed();

        JobView job = submit(a, ndjson(requests), null);
        JobView done = awaitFinished(a, job.id());

        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.counts().total()).isEqualTo(5);
        assertThat(done.counts().completed()).isEqualTo(3);
        assertThat(done.counts().failed()).isEqualTo(2);
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.completedAt()).isAfterOrEqualTo(done.startedAt());
        assertThat(resumed()).as("slices that resumed from recorded answers").isGreaterThan(resumedBefore + 10);

        Map<String, JsonNode> results = results(a, job.id());
        assertThat(results).containsOnlyKeys("moby-1", "moby-2", "short", "empty", "no-model");
        for (Map<String, Object> request : requests.subList(0, 3)) {
            Map<String, Object> summaryRequest = new HashMap<>(request);
            summaryRequest.remove("customId");
            SummaryResponse expected = a.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(summaryRequest).exchange().expectStatus().isOk()
                    .expectBody(SummaryResponse.class).returnResult().getResponseBody();
            JsonNode line = results.get((String) request.get("customId"));
            SameSummary.assertSame("result of " + request.get("customId"),
                    List.of(JSON.treeToValue(line.get("sentences"), SummaryResponse.Sentence[].class)),
                    line.get("summary").asString(), expected);
        }
        assertThat(results.get("empty").get("error").get("type").asString()).isEqualTo("urn:baton:problem:empty-text");
        assertThat(results.get("no-model").get("error").get("type").asString())
                .isEqualTo("urn:baton:problem:unknown-model");
    }

    @Test
    void progressEventsEndWithDone() {
        JobView job = submit(a, ndjson(List.of(Map.of("customId", "x", "text", Standalone.mobyDick(50_000, 2_000)))),
                null);

        List<ServerSentEvent<JobView>> events = a.get().uri("/v1/jobs/{id}/events", job.id())
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<JobView>>() { })
                .getResponseBody().collectList().block(Duration.ofMinutes(2));

        assertThat(events).isNotEmpty();
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.event()).isEqualTo("progress"));
        ServerSentEvent<JobView> last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("done");
        assertThat(last.data().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(last.data().counts().completed()).isEqualTo(1);
    }

    @Test
    void cancelKeepsFinishedResultsAndStartsNothingAfterIt() {
        // 40 requests of 4,000 characters (about 1,000 tokens each, a fraction of a second): enough that the
        // cancel, sent within a poll of the first completion, always finds most of them not started (with 12,
        // all had completed once on a quiet machine).
        List<Map<String, Object>> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            requests.add(Map.of("customId", "r" + i, "text", Standalone.mobyDick(400_000 + i * 4_000, 4_000)));
        }
        JobView job = submit(a, ndjson(requests), null);
        await().atMost(Duration.ofMinutes(2)).until(() -> get(a, job.id()).counts().completed() >= 1);

        JobView cancelling = a.post().uri("/v1/jobs/{id}:cancel", job.id()).exchange().expectStatus().isOk()
                .expectBody(JobView.class).returnResult().getResponseBody();
        int completedAtCancel = cancelling.counts().completed();
        // prefetch 2, one consumer: at most two requests were running when the cancel was answered.
        int runningAtCancel = cancelling.counts().total() - cancelling.counts().finished();
        assertThat(runningAtCancel).isLessThanOrEqualTo(2);
        assertThat(cancelling.status()).isIn(JobStatus.CANCELLING, JobStatus.CANCELLED);

        JobView cancelled = awaitFinished(a, job.id());
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.counts().completed()).isBetween(completedAtCancel, completedAtCancel + runningAtCancel);
        assertThat(cancelled.counts().finished()).isEqualTo(requests.size());
        Map<String, JsonNode> results = results(a, job.id());
        assertThat(results).hasSize(requests.size());
        assertThat(results.values().stream().filter(line -> line.has("summary")).count())
                .isEqualTo(cancelled.counts().completed());
        assertThat(results.values().stream().filter(line -> line.has("error")))
                .allSatisfy(line -> assertThat(line.get("error").get("type").asString())
                        .isEqualTo("urn:baton:problem:job-cancelled"));
    }

    @Test
    void anotherTenantCannotSeeReadCancelOrDeleteAJob() {
        JobView job = submit(a, ndjson(List.of(Map.of("customId", "x", "text", "Mine. Only mine."))), "tenant-key");

        b.get().uri("/v1/jobs/{id}", job.id()).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:job-not-found");
        b.get().uri("/v1/jobs/{id}/results", job.id()).exchange().expectStatus().isNotFound();
        b.get().uri("/v1/jobs/{id}/events", job.id()).exchange().expectStatus().isNotFound();
        b.post().uri("/v1/jobs/{id}:cancel", job.id()).exchange().expectStatus().isNotFound();
        b.delete().uri("/v1/jobs/{id}", job.id()).exchange().expectStatus().isNotFound();
        b.get().uri("/v1/jobs").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.jobs[?(@.id == '" + job.id() + "')]").doesNotExist();
        // The same Idempotency-Key is B's own: it makes B a job of its own.
        JobView bs = submit(b, ndjson(List.of(Map.of("customId", "x", "text", "Mine. Only mine."))), "tenant-key");
        assertThat(bs.id()).isNotEqualTo(job.id());

        a.get().uri("/v1/jobs/{id}", job.id()).exchange().expectStatus().isOk();
        a.delete().uri("/v1/jobs/{id}", job.id()).exchange().expectStatus().isNoContent();
        a.get().uri("/v1/jobs/{id}", job.id()).exchange().expectStatus().isNotFound();
    }

    @Test
    void anIdempotencyKeyAnswersTheSameJobForTheSameBodyAnd422ForAnother() {
        String body = ndjson(List.of(Map.of("customId", "x", "text", "One text. Two sentences.")));
        JobView first = submit(a, body, "same-key");
        JobView again = submit(a, body, "same-key");
        assertThat(again.id()).isEqualTo(first.id());

        a.post().uri("/v1/jobs").contentType(MediaType.parseMediaType("application/x-ndjson"))
                .header("Idempotency-Key", "same-key")
                .bodyValue(ndjson(List.of(Map.of("customId", "x", "text", "Another text."))))
                .exchange().expectStatus().isEqualTo(422)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:idempotency-key-reused");
    }

    @Test
    void aMalformedLineIsA400NamingItAndNothingIsStored() {
        int before = list(a).size();
        a.post().uri("/v1/jobs").contentType(MediaType.parseMediaType("application/x-ndjson"))
                .bodyValue("{\"customId\": \"a\", \"text\": \"fine\"}\n{\"customId\": \"b\", \"text\": 7}\n")
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:baton:problem:invalid-job-request")
                .jsonPath("$.line").isEqualTo(2);
        assertThat(list(a)).hasSize(before);
    }

    @Test
    void aJsonBodyWithMetadataIsAcceptedWithLocation() {
        String location = a.post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("requests", List.of(Map.of("customId", "x", "text", "Hello there. Bye now.")),
                        "metadata", Map.of("archive", "cases-2025")))
                .exchange().expectStatus().isAccepted()
                .expectBody().jsonPath("$.metadata.archive").isEqualTo("cases-2025")
                .returnResult().getResponseHeaders().getLocation().toString();
        assertThat(location).startsWith("/v1/jobs/");
        JobView done = awaitFinished(a, location.substring("/v1/jobs/".length()));
        assertThat(done.metadata().get("archive").asString()).isEqualTo("cases-2025");
    }

    @Test
    void aRequestWhoseDocumentTheStoreLostStartsOverOnceAndGivesTheSummaryOfTheSameRequest() {
        Map<String, Object> request = Map.of("customId", "lost-once", "text", Standalone.mobyDick(400_000, 3_000),
                "sentences", 3);
        double restartedBefore = counted("baton.jobs.restarted");

        JobView job = submit(a, ndjson(List.of(request)), null);
        int lost = loseTheDocument(job.id(), 1);
        JobView done = awaitFinished(a, job.id());

        assertThat(lost).as("documents the store lost").isEqualTo(1);
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(counted("baton.jobs.restarted") - restartedBefore).isEqualTo(1.0);
        Map<String, Object> summaryRequest = new HashMap<>(request);
        summaryRequest.remove("customId");
        SummaryResponse expected = a.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(summaryRequest).exchange().expectStatus().isOk()
                .expectBody(SummaryResponse.class).returnResult().getResponseBody();
        JsonNode line = results(a, job.id()).get("lost-once");
        SameSummary.assertSame("result of lost-once",
                List.of(JSON.treeToValue(line.get("sentences"), SummaryResponse.Sentence[].class)),
                line.get("summary").asString(), expected);
    }

    @Test
    void aRequestWhoseDocumentTheStoreLostTwiceFailsAsStateLost() {
        Map<String, Object> request = Map.of("customId", "lost-twice", "text", Standalone.mobyDick(420_000, 3_000));

        JobView job = submit(a, ndjson(List.of(request)), null);
        int lost = loseTheDocument(job.id(), 2);
        JobView done = awaitFinished(a, job.id());

        assertThat(lost).isEqualTo(2);
        assertThat(done.status()).isEqualTo(JobStatus.FAILED);
        assertThat(results(a, job.id()).get("lost-twice").get("error").get("type").asString())
                .isEqualTo("urn:baton:problem:state-lost");
    }

    /**
     * Loses the document of the job's request {@code times} times, as a Redis restart without
     * persistence does: each time its head reaches segment 2 (its answers recorded, each slice
     * continued from them), the store deletes it. Returns how many times it did.
     */
    private static int loseTheDocument(String job, int times) {
        CheckpointService checkpoints = context.getBean(CheckpointService.class);
        DocumentKey document = new DocumentKey("tenant-a", JobWorker.document(new RequestRef("tenant-a", job, 0)));
        int lost = 0;
        for (int loss = 0; loss < times; loss++) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> checkpoints.head(document).map(head -> head.segment() >= 2)
                            .onErrorResume(DocumentNotFoundException.class, none -> Mono.just(false)).block());
            if (Boolean.TRUE.equals(checkpoints.delete(document).block())) {
                lost++;
            }
        }
        return lost;
    }

    private double resumed() {
        return counted("baton.jobs.resumed");
    }

    private static double counted(String name) {
        var counter = context.getBean(MeterRegistry.class).find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    static JobView submit(WebTestClient client, String ndjson, String idempotencyKey) {
        return client.post().uri("/v1/jobs").contentType(MediaType.parseMediaType("application/x-ndjson"))
                .headers(h -> {
                    if (idempotencyKey != null) {
                        h.set("Idempotency-Key", idempotencyKey);
                    }
                })
                .bodyValue(ndjson).exchange().expectStatus().isAccepted()
                .expectHeader().exists("Location")
                .expectBody(JobView.class).returnResult().getResponseBody();
    }

    static JobView get(WebTestClient client, String id) {
        return client.get().uri("/v1/jobs/{id}", id).exchange().expectStatus().isOk()
                .expectBody(JobView.class).returnResult().getResponseBody();
    }

    static JobView awaitFinished(WebTestClient client, String id) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(client, id).status().finished());
        return get(client, id);
    }

    static Map<String, JsonNode> results(WebTestClient client, String id) {
        String body = client.get().uri("/v1/jobs/{id}/results", id).exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.parseMediaType("application/x-ndjson"))
                .expectBody(String.class).returnResult().getResponseBody();
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : body.split("\n")) {
            JsonNode node = JSON.readTree(line);
            assertThat(byId.put(node.get("customId").asString(), node)).as("one line per customId").isNull();
        }
        return byId;
    }

    private static List<JsonNode> list(WebTestClient client) {
        String body = client.get().uri("/v1/jobs?limit=100").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        List<JsonNode> jobs = new ArrayList<>();
        JSON.readTree(body).get("jobs").forEach(jobs::add);
        return jobs;
    }

    static String ndjson(List<Map<String, Object>> requests) {
        StringBuilder body = new StringBuilder();
        for (Map<String, Object> request : requests) {
            body.append(JSON.writeValueAsString(request)).append('\n');
        }
        return body.toString();
    }
}
