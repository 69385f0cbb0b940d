package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.common.testing.SpringServer;
import io.baton.gateway.admission.Admission;
import io.baton.gateway.pipeline.DocumentPipeline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's admission as a client sees it, against a real standalone server (real inference,
 * in-memory store): a tenant over its concurrency (429 {@code tenant-busy}), the pipeline full with
 * no queue (503 {@code service-busy}), a request past its deadline (the configured one, and the
 * caller's {@code X-Baton-Time-Left-Ms}: 504 {@code deadline-exceeded}, or the {@code problem}
 * event of a stream, and no segment after it), a tenant over its token rate (429 {@code
 * rate-limited}, whose {@code Retry-After} is honest), a header over the server's limit and a
 * client that trickles its body or its headers (raw sockets).
 */
class AdmissionIT {

    static final String ALPHA = "alpha-0123456789abcdef";
    static final String BETA = "beta-0123456789abcdef";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * One document at a time, nobody queued, one request per tenant, 20 s per request, 2 s to read
     * the headers, 2 s to read a body, 2 s idle.
     */
    static SpringServer limited;
    /** 50 tokens a second, 100 at most. */
    static SpringServer rated;

    @BeforeAll
    static void start() {
        limited = SpringServer.start(BatonStandalone.class, Map.ofEntries(
                Map.entry("baton.mode", "standalone"),
                Map.entry("baton.store.kind", "memory"),
                Map.entry("baton.models.default-model", Standalone.FIXTURE_MODEL),
                Map.entry("baton.access.api-keys.alpha", ALPHA),
                Map.entry("baton.access.api-keys.beta", BETA),
                Map.entry("baton.pipeline.concurrency", "1"),
                Map.entry("baton.pipeline.max-waiting", "0"),
                Map.entry("baton.limits.tenant-concurrency", "1"),
                Map.entry("baton.limits.request-timeout", "20s"),
                Map.entry("baton.limits.body-read-timeout", "2s"),
                Map.entry("baton.limits.header-read-timeout", "2s"),
                Map.entry("server.netty.idle-timeout", "2s")));
        rated = SpringServer.start(BatonStandalone.class, Map.of(
                "baton.mode", "standalone",
                "baton.store.kind", "memory",
                "baton.models.default-model", Standalone.FIXTURE_MODEL,
                "baton.limits.tokens-per-second", "50",
                "baton.limits.token-burst", "100"));
    }

    @AfterAll
    static void stop() {
        if (limited != null) {
            limited.close();
        }
        if (rated != null) {
            rated.close();
        }
    }

    @Test
    void aTenantOverItsConcurrencyAndAFullPipelineAreRefusedAndADeadlineEndsTheStream() throws Exception {
        awaitIdle();
        // alpha's 5 MB summary (about 5 million tokens of the byte-level fixture: minutes) holds
        // alpha's one slot and the pipeline's one permit.
        HttpResponse<Stream<String>> running = HTTP.send(post("/v1/summaries", ALPHA, Standalone.fiveMegabytes())
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(running.statusCode()).isEqualTo(200);
        try (Stream<String> lines = running.body()) {
            Iterator<String> events = lines.iterator();
            assertThat(nextEvent(events)[0]).isEqualTo("progress");

            // alpha again: over its concurrency.
            HttpResponse<String> busy = HTTP.send(post("/v1/summaries", ALPHA, "Call me Ishmael.").build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode tenantBusy = problem(busy, 429, "tenant-busy");
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(tenantBusy.get("retryAfter").asLong()).isOne();
            assertThat(tenantBusy.get("detail").asString()).contains("baton.limits.tenant-concurrency");

            // beta: its own slot is free, but the pipeline is full and queues nobody.
            HttpResponse<String> full = HTTP.send(post("/v1/summaries", BETA, "Call me Ishmael.").build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode serviceBusy = problem(full, 503, "service-busy");
            long retryAfter = serviceBusy.get("retryAfter").asLong();
            assertThat(retryAfter).isPositive();
            assertThat(full.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));

            // alpha's stream runs into its deadline (baton.limits.request-timeout, 20 s): progress
            // events, then a problem event, and the stream ends without a summary.
            List<String[]> rest = new ArrayList<>();
            for (String[] event = nextEvent(events); event != null; event = nextEvent(events)) {
                rest.add(event);
            }
            assertThat(rest).isNotEmpty();
            String[] last = rest.get(rest.size() - 1);
            assertThat(last[0]).isEqualTo("problem");
            JsonNode exceeded = JSON.readTree(last[1]);
            assertThat(exceeded.get("type").asString()).isEqualTo("urn:baton:problem:deadline-exceeded");
            assertThat(exceeded.get("status").asInt()).isEqualTo(504);
            assertThat(rest.subList(0, rest.size() - 1)).allSatisfy(event -> assertThat(event[0]).isEqualTo("progress"));
        }

        // Its slot and permit are free again: alpha is admitted.
        awaitIdle();
        HttpResponse<String> after = HTTP.send(post("/v1/summaries", ALPHA, Standalone.mobyDick(10_000, 2_000)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(after.body()).get("summary").asString()).isNotEmpty();
    }

    @Test
    void theCallersShorterDeadlineStopsAnAppendAndNoSegmentIsStoredAfterIt() throws Exception {
        awaitIdle();
        HttpResponse<String> ingested = HTTP.send(post("/v1/documents", BETA, Map.of("id", "deadline-doc", "text",
                Standalone.mobyDick(20_000, 1_000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ingested.statusCode()).isEqualTo(201);

        HttpResponse<String> stopped = HTTP.send(post("/v1/documents/deadline-doc:append", BETA,
                Map.of("text", Standalone.fiveMegabytes())).header("X-Baton-Time-Left-Ms", "3000").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode exceeded = problem(stopped, 504, "deadline-exceeded");
        assertThat(exceeded.get("detail").asString()).contains("deadline");

        // The append kept what it stored before the deadline (whole segments), and nothing after.
        awaitIdle();
        long segments = segments("deadline-doc");
        assertThat(segments).isGreaterThanOrEqualTo(4);   // the ingested 1,000 characters: 4 segments of 256 tokens
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> segments("deadline-doc") == segments);
    }

    @Test
    void aTenantOverItsTokenRateIsToldWhenItMaySendAgainAndThenItMay() throws Exception {
        String text = Standalone.mobyDick(40_000, 300);   // 100 tokens by the estimate: the whole burst
        HttpResponse<String> first = HTTP.send(post(rated, "/v1/summaries", null, text).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);

        HttpResponse<String> second = HTTP.send(post(rated, "/v1/summaries", null, text).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode limited = problem(second, 429, "rate-limited");
        long retryAfter = limited.get("retryAfter").asLong();
        assertThat(second.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
        assertThat(retryAfter).isBetween(1L, 2L);   // at most 100 tokens short, at 50 a second
        assertThat(limited.get("detail").asString()).contains("baton.limits.tokens-per-second");

        Thread.sleep(retryAfter * 1_000);   // what a client does with Retry-After: the behaviour under test
        HttpResponse<String> again = HTTP.send(post(rated, "/v1/summaries", null, text).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as("admitted once Retry-After has passed").isEqualTo(200);
    }

    @Test
    void aHundredKilobyteHeaderIsRefusedWith431AsAProblem() throws IOException {
        String answer = raw("GET /v1/documents/any HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-API-Key: "
                + ALPHA + "\r\nX-Big: " + "x".repeat(100 * 1024) + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 431 ");
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.get("type").asString()).isEqualTo("urn:baton:problem:headers-too-large");
        assertThat(problem.get("detail").asString()).contains("baton.limits.max-header-size");
        assertThat(healthy()).isTrue();
    }

    @Test
    void aHeaderOverNettysOwnBoundIsRefusedByNettyWith431AndNoBody() throws IOException {
        String answer = raw("GET /actuator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(2 * 1024 * 1024)
                + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        assertThat(answer.toLowerCase()).contains("content-length: 0").contains("connection: close");
        assertThat(healthy()).isTrue();
    }

    @Test
    void aBodyTrickledOneByteASecondIsCutOffWith408AndTheConnectionClosed() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", limited.port())) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/summaries HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + ALPHA
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            int sent = 0;
            boolean closed = false;
            // One byte a second; the body would take 1,000 s, the server reads for 2 s.
            while (!closed && sent < 120) {
                try {
                    out.write('{');
                    out.flush();
                    sent++;
                } catch (IOException e) {
                    break;   // the server closed its side
                }
                closed = readFor(in, answer, Duration.ofSeconds(1));
            }
            while (!closed) {
                closed = readFor(in, answer, Duration.ofSeconds(1));
            }
            String text = answer.toString(StandardCharsets.UTF_8);
            assertThat(text).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            assertThat(text).contains("application/problem+json").contains("urn:baton:problem:request-timeout")
                    .contains("baton.limits.body-read-timeout");
            assertThat(sent).isLessThan(120);
        }
        assertThat(healthy()).isTrue();
    }

    @Test
    void headersTrickledOneByteASecondAreCutOffByClosingTheConnection() throws IOException {
        byte[] request = ("GET /actuator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "y".repeat(100)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", limited.port())) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            int sent = 0;
            boolean closed = false;
            while (!closed && sent < request.length) {
                try {
                    out.write(request[sent]);
                    out.flush();
                    sent++;
                } catch (IOException e) {
                    break;   // the server closed its side
                }
                closed = readFor(in, answer, Duration.ofSeconds(1));
            }
            while (!closed) {
                closed = readFor(in, answer, Duration.ofSeconds(1));
            }
            assertThat(sent).as("the headers never arrived whole").isLessThan(request.length);
            assertThat(answer.size()).as("nothing is answered to a request never read").isZero();
        }
        assertThat(healthy()).isTrue();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", limited.port())) {
            socket.setSoTimeout((int) Duration.ofMinutes(1).toMillis());
            assertThat(socket.getInputStream().read()).as("closed by the server, nothing answered").isEqualTo(-1);
        }
    }

    /** Reads what arrives for {@code time}; true when the server closed the connection. */
    private static boolean readFor(InputStream in, ByteArrayOutputStream into, Duration time) throws IOException {
        long until = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < until) {
            try {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
                into.write(b);
            } catch (SocketTimeoutException e) {
                // nothing yet
            } catch (IOException e) {
                return true;   // reset
            }
        }
        return false;
    }

    /** No request of alpha or beta admitted and no document running on the limited server. */
    private static void awaitIdle() {
        Admission admission = limited.bean(Admission.class);
        DocumentPipeline pipeline = limited.bean(DocumentPipeline.class);
        await().atMost(Duration.ofMinutes(1)).until(() -> admission.running("alpha") == 0
                && admission.running("beta") == 0 && pipeline.gate().inUse() == 0);
    }

    private static long segments(String document) throws Exception {
        HttpResponse<String> view = HTTP.send(HttpRequest.newBuilder(URI.create(limited.baseUrl() + "/v1/documents/"
                + document)).header("X-API-Key", BETA).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(view.statusCode()).isEqualTo(200);
        return JSON.readTree(view.body()).get("segments").asLong();
    }

    private static boolean healthy() throws IOException {
        return raw("GET /actuator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 200");
    }

    /** The next server-sent event as {name, data}; null at the end of the stream. */
    private static String[] nextEvent(Iterator<String> lines) {
        String name = null;
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (name != null) {
                    return new String[] {name, data.toString()};
                }
            } else if (line.startsWith("event:")) {
                name = line.substring("event:".length());
            } else if (line.startsWith("data:")) {
                data.append(line.substring("data:".length()));
            }
        }
        return name == null ? null : new String[] {name, data.toString()};
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:baton:problem:" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        return problem;
    }

    private static HttpRequest.Builder post(String path, String key, Object body) {
        return post(limited, path, key, body);
    }

    private static HttpRequest.Builder post(SpringServer server, String path, String key, Object body) {
        Object json = body instanceof String text ? Map.of("text", text) : body;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(json)));
        return key == null ? request : request.header("X-API-Key", key);
    }

    /** What the limited server answers {@code request} on a raw connection, until it closes it. */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", limited.port())) {
            socket.setSoTimeout((int) Duration.ofMinutes(1).toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(got);
            } catch (IOException e) {
                // reset after the answer: what arrived is the answer
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }
}
