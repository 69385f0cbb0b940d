package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.DataFiles;
import io.baton.common.testing.TestServers;
import io.baton.gateway.jobs.JobView;
import io.baton.gateway.jobs.store.JobStatus;
import io.baton.gateway.summarize.SummaryResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batch jobs in distributed mode, against the real RabbitMQ and Redis of {@link TestServers}:
 * gateways whose job store is Redis and whose queue is RabbitMQ, an API-only gateway taking
 * submissions (0 consumers) and workers in other gateways, memory and inference as JVMs of their
 * own ({@link Platform}), the zoo's gemma2-tiny (one token per byte). The claims, each as a
 * test: a 200-request job of mixed sizes (one of 100,000 tokens) whose every result is exactly the
 * {@code POST /v1/summaries} of the same request; a worker's JVM killed in the middle of a long
 * document, after which the job completes with the same result and at most one segment run twice;
 * RabbitMQ stopped and started in the middle of a job, which completes with every request once.
 */
class JobsDistributedIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Short leases so that a killed worker's request is taken over within seconds. */
    private static final Map<String, String> WORKER = Map.of("baton.jobs.lease", "3s", "baton.jobs.retry-backoff", "1s",
            "baton.jobs.sweep-interval", "5s", "baton.jobs.orphan-after", "5s");

    static Platform platform;
    static Platform.Gateway api;
    static Map<String, String> stores;

    @BeforeAll
    static void start() {
        stores = Map.of("baton.redis.url", TestServers.redisUrl(), "baton.rabbitmq.url", TestServers.rabbitmqUrl());
        platform = Platform.start("gemma2-tiny");
        api = platform.gateway(settings(Map.of("baton.jobs.consumers", "0")));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static Map<String, String> settings(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(stores);
        all.putAll(WORKER);
        all.putAll(more);
        return all;
    }

    @Test
    void aJobOf200MixedRequestsGivesEachTheSummaryOfTheSameRequestExactlyOnce() {
        try (Platform.Gateway one = platform.gateway(settings(Map.of("baton.jobs.consumers", "2", "baton.jobs.prefetch", "2")));
             Platform.Gateway two = platform.gateway(settings(Map.of("baton.jobs.consumers", "2", "baton.jobs.prefetch", "2")))) {
            twoHundred();
        }
    }

    private void twoHundred() {
        String book = DataFiles.mobyDick();
        List<Map<String, Object>> requests = new ArrayList<>();
        requests.add(Map.of("customId", "long", "text", book.substring(0, 100_000), "sentences", 5));
        for (int i = 1; i < 200; i++) {
            int length = 200 + (i * 997) % 3_000;
            int from = 120_000 + i * 3_100;
            Map<String, Object> request = new HashMap<>(Map.of("customId", "r" + i, "text",
                    book.substring(from, from + length)));
            if (i % 3 == 0) {
                request.put("words", 40);
            } else {
                request.put("sentences", 1 + i % 4);
            }
            requests.add(request);
        }

        JobView job = submit(api.client(), requests, "two-hundred");
        JobView done = awaitFinished(api.client(), job.id(), Duration.ofMinutes(10));

        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.counts().completed()).isEqualTo(200);
        Map<String, JsonNode> results = results(api.client(), job.id());
        assertThat(results).hasSize(200);
        for (Map<String, Object> request : requests) {
            assertSameAsSummary(request, results.get((String) request.get("customId")));
        }
    }

    @Test
    void aWorkerKilledInTheMiddleOfALongDocumentCostsAtMostOneSegmentAndChangesNothing() {
        try (Platform.GatewayProcess doomed = platform.gatewayProcess(settings(Map.of("baton.jobs.consumers", "1")))) {
            killed(doomed);
        }
    }

    private void killed(Platform.GatewayProcess doomed) {
        String text = DataFiles.mobyDick().substring(300_000, 360_000);
        Map<String, Object> request = Map.of("customId", "long", "text", text, "sentences", 5);

        JobView job = submit(api.client(), List.of(request), null);
        // Kill it with some 40 segments run, in the middle of the document (about 235 segments).
        await().atMost(Duration.ofMinutes(3)).until(() -> doomed.proxy().segmentCalls() >= 40);
        doomed.jar().kill();
        int beforeKill = doomed.proxy().segmentCalls();
        assertThat(get(api.client(), job.id()).status()).isEqualTo(JobStatus.IN_PROGRESS);

        try (Platform.Gateway survivor = platform.gateway(settings(Map.of("baton.jobs.consumers", "1")))) {
            JobView done = awaitFinished(api.client(), job.id(), Duration.ofMinutes(5));

            assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            SummaryResponse expected = assertSameAsSummary(request, results(api.client(), job.id()).get("long"));
            int calls = beforeKill + survivor.proxy().segmentCalls();
            System.out.printf("killed worker: %d segment calls before the kill, %d after, %d segments in the document%n",
                    beforeKill, survivor.proxy().segmentCalls(), expected.stats().segments());
            assertThat(calls - expected.stats().segments()).as("segments run twice").isBetween(0L, 1L);
        }
    }

    @Test
    void rabbitmqStoppedAndStartedInTheMiddleOfAJobLosesAndRepeatsNothing() throws Exception {
        try (Platform.Gateway worker = platform.gateway(settings(Map.of("baton.jobs.consumers", "1",
                "baton.jobs.prefetch", "2")))) {
            restarted();
        }
    }

    private void restarted() throws Exception {
        String book = DataFiles.mobyDick();
        List<Map<String, Object>> requests = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            requests.add(Map.of("customId", "c" + i, "text", book.substring(500_000 + i * 6_000, 506_000 + i * 6_000)));
        }
        JobView job = submit(api.client(), requests, null);
        await().atMost(Duration.ofMinutes(3)).until(() -> get(api.client(), job.id()).counts().completed() >= 3);

        TestServers.rabbitmqctl("stop_app");
        try {
            // Workers go on with what they hold; what they finish is stored, their acks fail.
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofMinutes(1))
                    .until(() -> get(api.client(), job.id()).counts().completed() >= 4);
        } finally {
            TestServers.rabbitmqctl("start_app");
        }
        JobView done = awaitFinished(api.client(), job.id(), Duration.ofMinutes(6));

        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.counts().completed()).isEqualTo(30);
        Map<String, JsonNode> results = results(api.client(), job.id());
        assertThat(results).hasSize(30);
        assertThat(results.values()).allSatisfy(line -> assertThat(line.has("summary")).isTrue());
    }

    /** Checks a result line against {@code POST /v1/summaries} of the same request; the summary. */
    private static SummaryResponse assertSameAsSummary(Map<String, Object> request, JsonNode line) {
        Map<String, Object> summaryRequest = new HashMap<>(request);
        summaryRequest.remove("customId");
        SummaryResponse expected = api.client().post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(summaryRequest).retrieve().bodyToMono(SummaryResponse.class).block(Duration.ofMinutes(3));
        assertThat(line).as("result of %s", request.get("customId")).isNotNull();
        SameSummary.assertSame("result of " + request.get("customId"),
                List.of(JSON.treeToValue(line.get("sentences"), SummaryResponse.Sentence[].class)),
                line.get("summary").asString(), expected);
        return expected;
    }

    private static JobView submit(WebClient client, List<Map<String, Object>> requests, String key) {
        StringBuilder body = new StringBuilder();
        for (Map<String, Object> request : requests) {
            body.append(JSON.writeValueAsString(request)).append('\n');
        }
        return client.post().uri("/v1/jobs").contentType(MediaType.parseMediaType("application/x-ndjson"))
                .headers(h -> {
                    if (key != null) {
                        h.set("Idempotency-Key", key + "-" + System.nanoTime());
                    }
                })
                .bodyValue(body.toString()).retrieve().bodyToMono(JobView.class).block(Duration.ofMinutes(1));
    }

    private static JobView get(WebClient client, String id) {
        return client.get().uri("/v1/jobs/{id}", id).retrieve().bodyToMono(JobView.class).block(Duration.ofSeconds(30));
    }

    private static JobView awaitFinished(WebClient client, String id, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> get(client, id).status().finished());
        return get(client, id);
    }

    private static Map<String, JsonNode> results(WebClient client, String id) {
        String body = client.get().uri("/v1/jobs/{id}/results", id).retrieve().bodyToMono(String.class)
                .block(Duration.ofMinutes(1));
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : body.split("\n")) {
            JsonNode node = JSON.readTree(line);
            assertThat(byId.put(node.get("customId").asString(), node)).as("one line per customId").isNull();
        }
        return byId;
    }
}
