package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.gateway.segmenting.SentenceSplitter;
import io.baton.gateway.summarize.SummaryResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code POST /v1/summaries} in standalone mode, over real HTTP, with the zoo's gemma2-tiny, the
 * in-process inference and the in-memory store: JSON, SSE, and each kind of bad input as a problem
 * detail.
 */
class SummariesApiTest {

    static final String TEXT = Standalone.mobyDick(100_000, 4_000);

    static WebTestClient client;

    @BeforeAll
    static void start() {
        client = Standalone.client();
    }

    @Test
    void summarizesWithSentencesInDocumentOrderAndTheirOffsets() {
        SummaryResponse summary = client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT, "sentences", 3))
                .exchange()
                .expectStatus().isOk()
                .expectBody(SummaryResponse.class).returnResult().getResponseBody();

        assertThat(summary.sentences()).hasSize(3);
        long previousEnd = -1;
        for (SummaryResponse.Sentence sentence : summary.sentences()) {
            assertThat(TEXT.substring((int) sentence.start(), (int) sentence.end())).isEqualTo(sentence.text());
            assertThat(sentence.text()).isNotBlank().isEqualTo(sentence.text().strip());
            assertThat(sentence.start()).isGreaterThanOrEqualTo(previousEnd);
            previousEnd = sentence.end();
        }
        assertThat(summary.summary()).isEqualTo(String.join(" ",
                summary.sentences().stream().map(s -> s.text().replaceAll("\\s+", " ")).toList()));
        // Byte-level tokenizer: one token per UTF-8 byte; at most 256 per segment.
        long bytes = TEXT.getBytes(StandardCharsets.UTF_8).length;
        assertThat(summary.stats().tokens()).isEqualTo(bytes);
        assertThat(summary.stats().segments()).isGreaterThanOrEqualTo((bytes + 255) / 256);
        assertThat(summary.stats().tokensPerSecond()).isPositive();
    }

    @Test
    void aWordBudgetBoundsTheSummary() {
        SummaryResponse summary = client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", TEXT, "words", 60))
                .exchange()
                .expectStatus().isOk()
                .expectBody(SummaryResponse.class).returnResult().getResponseBody();
        assertThat(summary.sentences()).isNotEmpty();
        assertThat(summary.summary().split("\\s+").length).isLessThanOrEqualTo(60);
    }

    @Test
    void theEventStreamShowsProgressPerSegmentThenTheSummary() {
        List<ServerSentEvent<Map<String, Object>>> events = client.post().uri("/v1/summaries")
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("text", TEXT))
                .exchange()
                .expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
                })
                .getResponseBody().collectList().block(Duration.ofMinutes(2));

        assertThat(events).isNotEmpty();
        List<ServerSentEvent<Map<String, Object>>> progress = events.subList(0, events.size() - 1);
        assertThat(progress).allSatisfy(e -> assertThat(e.event()).isEqualTo("progress"));
        for (int k = 0; k < progress.size(); k++) {
            assertThat(((Number) progress.get(k).data().get("segment")).longValue()).isEqualTo(k + 1);
        }
        Map<String, Object> last = progress.get(progress.size() - 1).data();
        assertThat(last.get("estimated")).isEqualTo(false);
        assertThat(((Number) last.get("segments")).longValue()).isEqualTo(progress.size());
        assertThat(((Number) last.get("chars")).longValue()).isEqualTo(TEXT.length());

        ServerSentEvent<Map<String, Object>> summary = events.get(events.size() - 1);
        assertThat(summary.event()).isEqualTo("summary");
        assertThat((List<?>) summary.data().get("sentences")).hasSize(5);
        assertThat(((Map<?, ?>) summary.data().get("stats")).get("segments")).isEqualTo(progress.size());
    }

    @Test
    void anAbstractiveSummaryIsWhatGenerationFromTheDocumentsFinalStateGives() {
        for (Map<String, Object> bound : List.of(Map.<String, Object>of("words", 12), Map.<String, Object>of("sentences", 1))) {
            Map<String, Object> body = new java.util.HashMap<>(bound);
            body.put("text", TEXT);
            body.put("mode", "abstractive");
            SummaryResponse summary = client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchange()
                    .expectStatus().isOk()
                    .expectBody(SummaryResponse.class).returnResult().getResponseBody();
            assertThat(summary.sentences()).isEmpty();
            assertThat(summary.stats().tokens()).isEqualTo(TEXT.getBytes(StandardCharsets.UTF_8).length);

            // The same text as a document has the same final state; generate from it as the summary does:
            // the configured prompt, greedy, 8 tokens per word or 160 per sentence.
            String id = "abstractive-" + java.util.UUID.randomUUID();
            client.post().uri("/v1/documents").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("text", TEXT, "id", id)).exchange().expectStatus().isCreated();
            int maxTokens = bound.containsKey("words") ? 12 * 8 : 160;
            List<ServerSentEvent<Map<String, Object>>> events = DocumentsApiTest.generate(client,
                    "/v1/documents/" + id + "/generate", Map.of("prompt", "\n\nSummary:", "maxTokens", maxTokens));
            String generated = ((String) events.get(events.size() - 1).data().get("text")).strip();
            assertThat(generated).isNotEmpty();
            String expected;
            if (bound.containsKey("words")) {
                java.util.regex.Matcher word = java.util.regex.Pattern.compile("\\S+").matcher(generated);
                int end = 0;
                for (int n = 0; n < 12 && word.find(); n++) {
                    end = word.end();
                }
                expected = generated.substring(0, end);
            } else {
                long firstSentenceEnd = new SentenceSplitter().split(generated).get(0).end();
                expected = generated.substring(0, (int) firstSentenceEnd).strip();
            }
            assertThat(summary.summary()).isEqualTo(expected);
        }
        assertThat(Standalone.context().getBean(io.baton.memory.store.CheckpointStore.class).list("local", null, 1000)
                .block(Duration.ofSeconds(10)).documents())
                .noneMatch(d -> d.document().startsWith("summary-"));
    }

    @Test
    void emptyAndWhitespaceTextsAreRefused() {
        for (String text : List.of("", " \n\t  ")) {
            problem(Map.of("text", text), 400, "empty-text");
        }
    }

    @Test
    void malformedJsonIsRefused() {
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"text\": \"abc")
                .exchange()
                .expectStatus().isEqualTo(400)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:malformed-request");
    }

    @Test
    void aBodyThatIsNotUtf8IsRefused() {
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"text\": \"Call me \u00ff Ishmael.\"}".getBytes(StandardCharsets.ISO_8859_1))
                .exchange()
                .expectStatus().isEqualTo(400)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:invalid-utf8");
    }

    @Test
    void anUnknownModelIsNotFound() {
        problem(Map.of("text", "Call me Ishmael.", "model", "no-such-model"), 404, "unknown-model");
        problem(Map.of("text", "Call me Ishmael.", "model", "../zoo"), 404, "unknown-model");
    }

    @Test
    void contradictoryOrOutOfRangeRequestsAreRefused() {
        problem(Map.of("text", "Call me Ishmael.", "sentences", 2, "words", 10), 400, "invalid-request");
        problem(Map.of("text", "Call me Ishmael.", "sentences", 0), 400, "invalid-request");
        problem(Map.of("text", "Call me Ishmael.", "mode", "poetic"), 400, "invalid-request");
        problem(Map.of("text", "Call me\u0000 Ishmael."), 400, "binary-text");
    }

    @Test
    void aThirtyMegabyteBodyIsRefusedAsTooLarge() {
        String text = "a".repeat(30 * 1024 * 1024);
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"text\":\"" + text + "\"}")
                .exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:payload-too-large");
    }

    @Test
    void badInputOnTheEventStreamIsAProblemToo() {
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("text", "   "))
                .exchange()
                .expectStatus().isEqualTo(400)
                .expectBody().jsonPath("$.type").isEqualTo("urn:baton:problem:empty-text");
    }

    private static void problem(Object body, int status, String type) {
        client.post().uri("/v1/summaries").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:baton:problem:" + type)
                .jsonPath("$.status").isEqualTo(status)
                .jsonPath("$.instance").isEqualTo("/v1/summaries");
    }
}
