package io.baton.evaluation.runner;

import io.baton.evaluation.EvaluationException;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST <gateway>/v1/summaries} over real HTTP (the JDK's client), one document at a time:
 * a summary (extractive unless asked otherwise) of at most {@code words} words.
 */
public final class SummaryApi {

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final URI summaries;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The API of the gateway at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}); {@code timeout} per document. */
    public SummaryApi(String baseUrl, Duration timeout) {
        this.summaries = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/summaries");
        this.timeout = timeout;
    }

    /** The extractive summary of {@code text} by {@code model} (the gateway's default when null) within {@code words}. */
    public SummaryResponse summarize(String text, String model, int words) {
        return summarize(text, model, SummaryRequest.EXTRACTIVE, words);
    }

    /** The summary of {@code text} in {@code mode} ({@code extractive} or {@code abstractive}) within {@code words}. */
    public SummaryResponse summarize(String text, String model, String mode, int words) {
        SummaryRequest body = new SummaryRequest(text, model, mode, null, words);
        HttpRequest request = HttpRequest.newBuilder(summaries).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new EvaluationException("summary-failed", "POST " + summaries + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvaluationException("summary-failed", "interrupted while waiting for " + summaries, e);
        }
        if (response.statusCode() != 200) {
            throw new EvaluationException("summary-failed", "POST " + summaries + " answered " + response.statusCode()
                    + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
        return JSON.readValue(response.body(), SummaryResponse.class);
    }
}
