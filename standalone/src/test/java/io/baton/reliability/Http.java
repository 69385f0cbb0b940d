package io.baton.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the suite's clients send and read: JSON over HTTP/1.1 with the JDK's client, and raw bytes
 * over a socket for requests that client would not send (a path with a matrix parameter kept
 * verbatim, a 100 KB header, a body one byte a second).
 */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * An answer: status (0 when there was none: {@code failure} says why), headers with lower-case
     * names, the body, and the body as JSON when it is a JSON object.
     */
    record Answer(int status, Map<String, List<String>> headers, byte[] body, Map<String, Object> json,
                  String failure) {

        static Answer failed(String failure) {
            return new Answer(0, Map.of(), new byte[0], Map.of(), failure);
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** The problem type's slug ({@code urn:baton:problem:<slug>}), or null when the body is no problem detail. */
        String problem() {
            Object type = json.get("type");
            return type instanceof String t ? t.replace("urn:baton:problem:", "") : null;
        }

        boolean isProblem() {
            String type = header("content-type");
            return type != null && type.startsWith("application/problem+json") && problem() != null;
        }

        /** {@code status type} or the failure, for tables. */
        String outcome() {
            if (status == 0) {
                return failure;
            }
            return problem() == null ? Integer.toString(status) : status + " " + problem();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    Answer get(String url, Map<String, String> headers, Duration timeout) {
        return send(builder(url, headers, timeout).GET().build());
    }

    Answer delete(String url, Map<String, String> headers, Duration timeout) {
        return send(builder(url, headers, timeout).DELETE().build());
    }

    Answer postJson(String url, Object body, Map<String, String> headers, Duration timeout) {
        return postBytes(url, JSON.writeValueAsBytes(body), "application/json", headers, timeout);
    }

    Answer postBytes(String url, byte[] body, String contentType, Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder request = builder(url, headers, timeout).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return send(request.build());
    }

    Answer putBytes(String url, byte[] body, String contentType, Map<String, String> headers, Duration timeout) {
        return send(builder(url, headers, timeout).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private static HttpRequest.Builder builder(String url, Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Accept", "application/json, application/problem+json");
        headers.forEach(request::setHeader);
        return request;
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return answer(response.statusCode(), response.headers().map(), response.body());
        } catch (HttpTimeoutException e) {
            return Answer.failed("client-timeout");
        } catch (ConnectException e) {
            return Answer.failed("connection-refused");
        } catch (IOException e) {
            return Answer.failed("connection-lost");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.failed("interrupted");
        }
    }

    static Answer answer(int status, Map<String, List<String>> rawHeaders, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        rawHeaders.forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        return new Answer(status, headers, body, json(body), null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(byte[] body) {
        if (body.length == 0 || body[0] != '{') {
            return Map.of();
        }
        try {
            return JSON.readValue(body, Map.class);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * Sends {@code head} (request line and headers, CRLF-terminated, ending with an empty line) and
     * {@code body} over a fresh socket, {@code bytesPerSecond} at a time when positive (all at once
     * otherwise), and reads the answer until the server closes the connection or {@code timeout}
     * passes. Returns the answer, or a failure: {@code server-closed} when the server shut the
     * connection before answering, {@code no-answer} when it neither answered nor closed in time.
     */
    static Answer raw(int port, String head, byte[] body, int bytesPerSecond, Duration timeout) {
        byte[] request = concat(head.getBytes(StandardCharsets.ISO_8859_1), body);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (bytesPerSecond <= 0) {
                out.write(request);
                out.flush();
            } else {
                for (int i = 0; i < request.length; i += bytesPerSecond) {
                    if (System.nanoTime() > deadline) {
                        return Answer.failed("no-answer");
                    }
                    try {
                        out.write(request, i, Math.min(bytesPerSecond, request.length - i));
                        out.flush();
                    } catch (IOException e) {
                        return in.available() > 0 ? readAnswer(in, socket, deadline) : Answer.failed("server-closed");
                    }
                    if (in.available() > 0) {
                        return readAnswer(in, socket, deadline);
                    }
                    Thread.sleep(1000);
                }
            }
            return readAnswer(in, socket, deadline);
        } catch (IOException e) {
            return Answer.failed("connection-lost: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.failed("interrupted");
        }
    }

    private static Answer readAnswer(InputStream in, Socket socket, long deadline) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                // a time-out or a reset: what came so far is the answer
                break;
            }
            if (n < 0) {
                break;
            }
            all.write(buffer, 0, n);
            if (complete(all.toByteArray())) {
                break;
            }
        }
        return parse(all.toByteArray());
    }

    /** True once a whole answer (headers and a body of its Content-Length, or a last chunk) is in. */
    private static boolean complete(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(Locale.ROOT);
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return bytes.length - end - 4 >= Long.parseLong(line.substring(15).trim());
            }
        }
        if (head.contains("transfer-encoding: chunked")) {
            return text.endsWith("0\r\n\r\n");
        }
        return false;
    }

    private static Answer parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (bytes.length == 0) {
            return Answer.failed("server-closed");
        }
        if (!text.startsWith("HTTP/") || end < 0) {
            return Answer.failed("unreadable answer: " + text.substring(0, Math.min(80, text.length())));
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                headers.put(name, List.of(value));
                chunked |= name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked");
            }
        }
        byte[] body = Arrays.copyOfRange(bytes, end + 4, bytes.length);
        return answer(status, headers, chunked ? dechunk(body) : body);
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = indexOf(body, i);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(new String(body, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, Math.min(size, body.length - lineEnd - 2));
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
