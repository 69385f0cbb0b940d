package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.DataFiles;
import io.baton.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./baton batch} as a user runs it ({@link Launcher}): from a folder of the test's own
 * holding the requests, named relative to it. The jar is the one {@code mvn verify} packaged just
 * before; the script rebuilds it only when a source is newer.
 */
class BatchIT {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Pattern PROGRESS = Pattern.compile("(?m)^\\d+/20 done {2}\\d+ failed");

    /** The result lines of a run's output, by customId, each customId checked to come once. */
    static Map<String, JsonNode> byCustomId(List<String> lines) {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (String line : lines) {
            JsonNode result = JSON.readTree(line);
            String id = result.get("customId").asString();
            assertThat(results.put(id, result)).as("customId " + id + " comes once").isNull();
        }
        return results;
    }

    @Test
    void twentyStoriesGiveTwentyResultLinesWithProgressOnStderr(@TempDir Path folder) throws Exception {
        List<String> stories = stories(20);
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < stories.size(); i++) {
            requests.add(JSON.writeValueAsString(Map.of("customId", "story-" + (i + 1), "text", stories.get(i),
                    "sentences", 2)));
        }
        Files.write(folder.resolve("stories.jsonl"), requests, StandardCharsets.UTF_8);

        Launcher.Run run = Launcher.run(folder, "batch", "stories.jsonl");

        assertThat(run.exit()).as(run.stderr()).isZero();
        // The default output: next to the input, .jsonl replaced by .results.jsonl.
        Map<String, JsonNode> results = byCustomId(Files.readAllLines(folder.resolve("stories.results.jsonl")));
        assertThat(results).hasSize(20);
        for (int i = 0; i < stories.size(); i++) {
            JsonNode result = results.get("story-" + (i + 1));
            assertThat(result).as("story-" + (i + 1)).isNotNull();
            assertThat(result.has("error")).as(result.toString()).isFalse();
            assertThat(result.get("sentences").size()).isBetween(1, 2);
            for (JsonNode sentence : result.get("sentences")) {
                assertThat(stories.get(i).substring(sentence.get("start").asInt(), sentence.get("end").asInt()))
                        .isEqualTo(sentence.get("text").asString());
            }
        }
        assertThat(run.stdout()).isEmpty();
        assertThat(PROGRESS.matcher(run.stderr()).find()).as(run.stderr()).isTrue();
        assertThat(run.stderr()).contains("20/20 done", "20 requests: 20 completed, 0 failed, 0 cancelled in ",
                "results in " + folder.resolve("stories.results.jsonl"));

        // The longest story's result is the summary POST /v1/summaries gives for the same text.
        int longest = 0;
        for (int i = 1; i < stories.size(); i++) {
            longest = stories.get(i).length() > stories.get(longest).length() ? i : longest;
        }
        JsonNode summary = JSON.readTree(Standalone.client().post().uri("/v1/summaries")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", stories.get(longest), "sentences", 2,
                        "model", GatewayProperties.Models.DEFAULT_MODEL))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        JsonNode batched = results.get("story-" + (longest + 1));
        assertThat(batched.get("summary")).isEqualTo(summary.get("summary"));
        assertThat(batched.get("sentences")).isEqualTo(summary.get("sentences"));
    }

    @Test
    void aMalformedFileIsRefusedNamingTheLineAndNothingRuns(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("bad.jsonl"), """
                {"customId": "a", "text": "Call me Ishmael."}
                {"customId": "b", "text": "Some years ago."}
                {"customId": "c", "text": "never mind how long"
                """);

        Launcher.Run run = Launcher.run(folder, "batch", "bad.jsonl");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr()).contains("bad.jsonl: line 3: not JSON", "(invalid-job-request)");
        assertThat(folder.resolve("bad.results.jsonl")).doesNotExist();
    }

    @Test
    void aFailedRequestExitsOneWithItsProblemInTheResultsOnStdout(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("two.jsonl"), """
                {"customId": "ok", "text": "Call me Ishmael. Some years ago, I thought I would sail about."}

                {"customId": "unknown", "text": "Call me Ishmael.", "model": "no-such-model"}
                """);

        Launcher.Run run = Launcher.run(folder, "batch", "two.jsonl", "--out", "-");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        // stdout holds the result lines and nothing else (the log goes to stderr).
        Map<String, JsonNode> results = byCustomId(run.stdout().lines().toList());
        assertThat(results).containsOnlyKeys("ok", "unknown");
        assertThat(results.get("ok").get("summary").asString()).isNotEmpty();
        assertThat(results.get("unknown").get("error").get("type").asString())
                .isEqualTo("urn:baton:problem:unknown-model");
        assertThat(run.stderr()).contains("2 requests: 1 completed, 1 failed, 0 cancelled", "results in stdout");
        assertThat(folder.resolve("two.results.jsonl")).doesNotExist();
    }

    /**
     * Stopping the process cancels the job: the finished result is there, every other request has
     * its {@code job-cancelled} line, each customId once. The test sends SIGTERM, which runs the
     * same shutdown hook as Ctrl-C's SIGINT (a child may inherit SIGINT ignored from whatever
     * started the build, SIGTERM it cannot).
     */
    @Test
    void stoppingTheProcessCancelsTheJobAndKeepsWhatFinished(@TempDir Path folder) throws Exception {
        String book = DataFiles.mobyDick();
        List<String> requests = new ArrayList<>();
        requests.add(JSON.writeValueAsString(Map.of("customId", "short", "text", book.substring(300_000, 301_000))));
        for (int i = 0; i < 8; i++) {
            int from = 400_000 + i * 60_000;
            requests.add(JSON.writeValueAsString(Map.of("customId", "long-" + i, "text",
                    book.substring(from, from + 60_000))));
        }
        Files.write(folder.resolve("long.jsonl"), requests, StandardCharsets.UTF_8);
        Path out = folder.resolve("out").resolve("results.jsonl");
        Files.createDirectories(out.getParent());

        Launcher.Run run = Launcher.run(folder, process -> {
            await("the first result line").atMost(Launcher.RUN_DEADLINE).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(out) && !Files.readString(out).isEmpty());
            process.destroy();
        }, "batch", "long.jsonl", "--out", "out/results.jsonl");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(128 + 15);
        Map<String, JsonNode> results = byCustomId(Files.readAllLines(out));
        assertThat(results).hasSize(9);
        assertThat(results.get("short").get("summary").asString()).isNotEmpty();
        String cancelled = "\"type\":\"urn:baton:problem:job-cancelled\"";
        assertThat(results.values()).anySatisfy(result -> assertThat(result.toString()).contains(cancelled));
        assertThat(results.values()).allSatisfy(result -> assertThat(result.has("summary")
                || result.toString().contains(cancelled)).as(result.toString()).isTrue());
        assertThat(run.stderr()).contains("interrupted; cancelling the job", "9 requests: ");
    }

    /** Stories of different lengths: 1 to 5 consecutive paragraphs of Moby Dick, from its first chapter on. */
    static List<String> stories(int count) {
        String book = DataFiles.mobyDick();
        String[] paragraphs = book.substring(book.indexOf("Call me Ishmael")).split("\\n\\s*\\n");
        List<String> stories = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < count; i++) {
            int n = 1 + i % 5;
            stories.add(String.join("\n\n", List.of(paragraphs).subList(next, next + n)));
            next += n;
        }
        return stories;
    }
}
