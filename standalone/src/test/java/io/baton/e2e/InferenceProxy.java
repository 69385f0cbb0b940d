package io.baton.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test-side HTTP proxy between the gateway and the inference service, standing where a load
 * balancer would: it forwards every request as it is and, for the tests, can
 *
 * <ul>
 *   <li>{@linkplain #cutOff(boolean) cut inference off}: every call is answered 502 without
 *       reaching inference (inference is down as far as the gateway can tell);
 *   <li>{@linkplain #onSegmentCall(int, Runnable) act on the n-th segment call} after inference
 *       has answered it (so checkpoint n is stored): run an action, e.g. kill and relaunch the
 *       inference JVM, and drop the answer (502), as when an instance dies before its answer
 *       gets out;
 *   <li>{@linkplain #breakNextGeneration(int) break the next generation off} after some of its
 *       events, as when inference dies in the middle of a stream.
 * </ul>
 *
 * While inference is not listening (a restart), a call cannot be forwarded and is answered 502.
 * Counts what it saw, so tests can tell whether a call reached inference at all, and shows every
 * segment call inference answered to an {@linkplain #observe observer} before the answer goes on:
 * at that moment checkpoint n is stored and the gateway has not heard of it yet.
 */
public final class InferenceProxy implements AutoCloseable {

    private static final List<String> FORWARDED_HEADERS = List.of("X-Baton-Tenant", "Authorization", "Content-Type",
            "Accept", "X-Baton-Time-Left-Ms");

    private final HttpServer server;
    private final ExecutorService threads;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String upstream;
    private final AtomicInteger segmentCalls = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger unreachable = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger openSegmentCalls = new AtomicInteger();
    private final AtomicInteger mostSegmentCallsAtOnce = new AtomicInteger();
    private final AtomicReference<Trap> trap = new AtomicReference<>();
    private volatile boolean cutOff;

    private volatile SegmentObserver observer;
    private final AtomicInteger breakGenerationAfter = new AtomicInteger(-1);

    private record Trap(int call, Runnable action) {
    }

    /** Sees a segment call inference answered, before the answer is relayed (or dropped). */
    @FunctionalInterface
    public interface SegmentObserver {

        /** {@code request} and {@code response} are the bodies as they went over the wire. */
        void answered(byte[] request, int status, byte[] response);
    }

    private InferenceProxy(String upstream) {
        this.upstream = upstream;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicInteger n = new AtomicInteger();
        threads = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "inference-proxy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy on a free loopback port forwarding to {@code upstream} ({@code http://host:port}). */
    public static InferenceProxy start(String upstream) {
        return new InferenceProxy(upstream);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** While {@code true}, every call is answered 502 without reaching inference. */
    public void cutOff(boolean cut) {
        cutOff = cut;
    }

    /**
     * Once: after inference has answered the {@code call}-th {@code POST /v1/segments} (counting
     * from 1, over this proxy's life), runs {@code action} and answers 502 instead.
     */
    public void onSegmentCall(int call, Runnable action) {
        trap.set(new Trap(call, action));
    }

    /**
     * Once: the next {@code POST /v1/generate} answer is passed on up to its {@code events}-th
     * server-sent event only, and then the connection is closed before the declared length: the
     * gateway sees the stream begin and break off.
     */
    public void breakNextGeneration(int events) {
        breakGenerationAfter.set(events);
    }

    /** Shows every answered segment call to {@code observer} from now on ({@code null}: to nobody). */
    public void observe(SegmentObserver observer) {
        this.observer = observer;
    }

    /** {@code POST /v1/segments} calls received, whatever became of them. */
    public int segmentCalls() {
        return segmentCalls.get();
    }

    /** Calls that reached inference and were answered by it. */
    public int forwarded() {
        return forwarded.get();
    }

    /** Calls answered 502 because inference was not listening. */
    public int unreachable() {
        return unreachable.get();
    }

    /** Calls answered 502 because inference was cut off. */
    public int refused() {
        return refused.get();
    }

    /** Answers of inference dropped by {@link #onSegmentCall}. */
    public int dropped() {
        return dropped.get();
    }

    /** The most {@code POST /v1/segments} calls open at once (received and not yet answered). */
    public int mostSegmentCallsAtOnce() {
        return mostSegmentCallsAtOnce.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean segment = "POST".equals(exchange.getRequestMethod())
                && "/v1/segments".equals(exchange.getRequestURI().getPath());
        if (!segment) {
            forward(exchange, false, 0, () -> { });
            return;
        }
        mostSegmentCallsAtOnce.accumulateAndGet(openSegmentCalls.incrementAndGet(), Math::max);
        // The call counts as closed just before its answer goes out: the gateway may send its next
        // segment as soon as it reads the answer, before this thread could count the call closed after.
        AtomicBoolean open = new AtomicBoolean(true);
        Runnable closing = () -> {
            if (open.getAndSet(false)) {
                openSegmentCalls.decrementAndGet();
            }
        };
        try {
            forward(exchange, true, segmentCalls.incrementAndGet(), closing);
        } finally {
            closing.run();
        }
    }

    /** Relays the call; {@code closing} runs right before the answer (or a 502) is sent. */
    private void forward(HttpExchange exchange, boolean segment, int call, Runnable closing) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (cutOff) {
                refused.incrementAndGet();
                closing.run();
                badGateway(exchange, "inference is cut off");
                return;
            }
            HttpResponse<byte[]> answer;
            try {
                answer = http.send(request(exchange, body), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                unreachable.incrementAndGet();
                closing.run();
                badGateway(exchange, "inference is not reachable: " + e);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closing.run();
                badGateway(exchange, "interrupted");
                return;
            }
            forwarded.incrementAndGet();
            SegmentObserver watching = observer;
            if (segment && watching != null) {
                try {
                    watching.answered(body, answer.statusCode(), answer.body());
                } catch (RuntimeException e) {
                    System.err.println("inference proxy: the observer failed: " + e);
                }
            }
            Trap armed = trap.get();
            if (segment && armed != null && armed.call() == call && trap.compareAndSet(armed, null)) {
                armed.action().run();
                dropped.incrementAndGet();
                closing.run();
                badGateway(exchange, "inference answered, but the answer was lost");
                return;
            }
            answer.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            int keep = "/v1/generate".equals(exchange.getRequestURI().getPath()) ? breakGenerationAfter.getAndSet(-1) : -1;
            if (keep >= 0) {
                closing.run();
                sendBrokenOff(exchange, answer.body(), keep);
                return;
            }
            closing.run();
            send(exchange, answer.statusCode(), answer.body());
        }
    }

    private HttpRequest request(HttpExchange exchange, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(120))
                .method(exchange.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : FORWARDED_HEADERS) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        return request.build();
    }

    private static void badGateway(HttpExchange exchange, String detail) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
        String problem = "{\"type\":\"about:blank\",\"title\":\"Bad Gateway\",\"status\":502,\"detail\":\""
                + detail.replace("\\", "\\\\").replace("\"", "'") + "\"}";
        send(exchange, 502, problem.getBytes(StandardCharsets.UTF_8));
    }

    /** Declares the whole body's length, writes its first {@code events} events, and closes. */
    private static void sendBrokenOff(HttpExchange exchange, byte[] body, int events) throws IOException {
        String text = new String(body, StandardCharsets.UTF_8);
        int end = 0;
        for (int i = 0; i < events; i++) {
            int next = text.indexOf("\n\n", end);
            if (next < 0 || next + 2 >= text.length()) {
                throw new IllegalStateException("the generation has fewer than " + (events + 1) + " events to break off after "
                        + events);
            }
            end = next + 2;
        }
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        out.write(text.substring(0, end).getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            out.close();
        } catch (IOException expected) {
            // "insufficient bytes written": the server closes the connection, which is the point
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
