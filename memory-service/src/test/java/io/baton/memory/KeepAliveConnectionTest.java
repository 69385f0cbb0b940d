package io.baton.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A keep-alive connection goes on being read after a request that arrived while the previous
 * response was still finishing. Reactor Netty before 1.3.8 stopped reading such a connection when
 * that request was answered at once (reactor-netty issue 4361): the next request on it then got
 * no answer until the client gave up. Over loopback a client that sends its next request as soon
 * as it has a response hit this about once in a few thousand calls (ObservabilityIT's probe
 * checks in CI); two requests written together hit it every time, which is what this test does.
 * All three services run the same HTTP server (docs/reliability.md, "Keep-alive requests that
 * were never read").
 */
class KeepAliveConnectionTest {

    private static final int ANSWER_MS = 10_000;

    static MemoryServer server;

    @BeforeAll
    static void start() {
        server = MemoryServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRequestAfterOneAnsweredWhileThePreviousWasFinishingIsRead() throws IOException {
        for (int round = 0; round < 20; round++) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(ANSWER_MS);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                // The scrape is answered from a worker thread, so its operations are still open when
                // the second request (in the same packet) arrives; the second, a 404, is answered on
                // the connection's event loop at once.
                out.write((get("/actuator/prometheus") + get("/v1/no-such-path")).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(status(in)).as("round %d, scrape", round).isEqualTo(200);
                assertThat(status(in)).as("round %d, unknown path", round).isEqualTo(404);

                out.write(get("/actuator/health/liveness").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                try {
                    assertThat(status(in)).as("round %d, the request after them", round).isEqualTo(200);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("round " + round + ": the request after a pipelined pair got no answer"
                            + " within " + ANSWER_MS + " ms: the server stopped reading the connection", e);
                }
            }
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
    }

    /** Reads one whole response (a fixed-length or a chunked body) and returns its status. */
    private static int status(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = 0;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            skip(in, length);
            return status;
        }
        for (long chunk = Long.parseLong(line(in).split(";")[0].trim(), 16); chunk > 0;
                chunk = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
            skip(in, chunk);
            line(in);
        }
        for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
            // trailers, if any
        }
        return status;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the server closed the connection mid-response");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        if (in.readNBytes(Math.toIntExact(bytes)).length != bytes) {
            throw new IOException("the server closed the connection mid-body");
        }
    }
}
