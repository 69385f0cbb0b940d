package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./baton serve} as a user runs it: the launcher script at the repository root, with
 * {@code SERVER_PORT=0} so the server picks a free port and names it in its "serving" line. The
 * test waits for that line (a bounded deadline; it is printed once the application is ready),
 * then the page, the API and health answer, the server is reachable on loopback only, and it stops
 * on SIGTERM. The jar is the one {@code mvn verify} packaged just before; the script rebuilds it
 * only when a source is newer.
 */
class ServeIT {

    static final Pattern SERVING = Pattern.compile(Pattern.quote(BatonStandalone.SERVING)
            + "(http://127\\.0\\.0\\.1:(\\d+)/)");
    static final Duration START_DEADLINE = Duration.ofMinutes(4);

    static Process process;
    static final StringBuffer log = new StringBuffer();
    static final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    static URI base;
    static int port;
    static HttpClient http;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void serve() throws Exception {
        Path root = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();
        Path script = root.resolve("baton");
        assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "serve").directory(root.toFile())
                .redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("BATON_") || name.startsWith("SERVER_"));
        environment.put("SERVER_PORT", "0");
        environment.put("JAVA_OPTS", "-Xmx1g");
        process = builder.start();
        Thread reader = new Thread(ServeIT::readOutput, "baton-serve-output");
        reader.setDaemon(true);
        reader.start();

        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (base == null) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                fail("./baton serve printed no serving line within " + START_DEADLINE + " (alive: "
                        + process.isAlive() + "); its output:\n" + log);
            }
            Matcher matcher = SERVING.matcher(line);
            if (matcher.find()) {
                base = URI.create(matcher.group(1));
                port = Integer.parseInt(matcher.group(2));
            } else if (line.equals(EOF)) {
                fail("./baton serve exited with " + process.waitFor() + " before serving; its output:\n" + log);
            }
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            assertThat(exited).as("./baton serve stops within 60 s of SIGTERM").isTrue();
        }
    }

    private static final String EOF = "\u0000eof";

    /** The tokens of {@code text} as the default model's segments hold them. */
    private static long defaultModelTokens(String text) {
        Path zoo = Path.of(System.getProperty("baton.root", "..")).resolve("models/zoo");
        try (TextTokenizer tokenizer = TextTokenizer.load(zoo.resolve(GatewayProperties.Models.DEFAULT_MODEL))) {
            long tokens = 0;
            for (Iterator<Segment> it = new Segmenter(tokenizer, Segmenter.DEFAULT_MAX_TOKENS).segments(text); it.hasNext(); ) {
                tokens += it.next().size();
            }
            return tokens;
        }
    }

    private static void readOutput() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                log.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException e) {
            log.append("(reading the output failed: ").append(e).append(")\n");
        } finally {
            lines.add(EOF);
        }
    }

    @Test
    void servesThePageTheApiAndHealth() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Baton", "baton.js", "<progress");

        String text = Standalone.mobyDick(300_000, 2_000);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/v1/summaries"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("text", text, "sentences", 2))))
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode summary = JSON.readTree(answer.body());
        assertThat(summary.get("sentences")).hasSize(2);
        for (JsonNode sentence : summary.get("sentences")) {
            assertThat(text.substring(sentence.get("start").asInt(), sentence.get("end").asInt()))
                    .isEqualTo(sentence.get("text").asString());
        }
        // Run as users run it, with the default model (the trained jamba-medium): the whole text,
        // cut as that model's tokenizer and the default segment length cut it.
        assertThat(summary.get("stats").get("tokens").asLong()).isEqualTo(defaultModelTokens(text));

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(log).contains("access: open without API keys: standalone mode bound to 127.0.0.1");
    }

    @Test
    void takesAFiveMegabyteDocumentAndRefusesABodyOverTheLimit() throws Exception {
        // 5 MB through POST /v1/summaries: read whole (no 413), the summary starts (its first
        // progress event), and the client goes away; the run stops with it.
        String large = Standalone.fiveMegabytes();
        HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(base.resolve("/v1/summaries"))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("text", large))))
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        try (java.util.stream.Stream<String> lines = events.body()) {
            assertThat(lines.filter(line -> line.startsWith("event:")).findFirst()).hasValue("event:progress");
        }

        // Over the gateway's limit (spring.http.codecs.max-in-memory-size, 16MB): 413 payload-too-large.
        String tooLarge = "a".repeat(17 * 1024 * 1024);
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(base.resolve("/v1/summaries"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + tooLarge + "\"}"))
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:baton:problem:payload-too-large");
        assertThat(problem.get("detail").asString()).contains("16777216");
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        Optional<InetAddress> outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside.isPresent(), "this machine has no non-loopback IPv4 address to try");
        try (Socket socket = new Socket()) {
            assertThatThrownBy(() -> socket.connect(new InetSocketAddress(outside.get(), port), 5_000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (network.isUp() && !network.isLoopback()) {
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
