package io.baton.memory.bench;

import io.baton.common.redis.RedisConnection;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * Benchmark, not a test: put + get of one checkpoint through the memory service (HTTP/1.1 over
 * loopback with a Reactor Netty client, service in this JVM on Redis) against raw Lettuce SET + GET
 * of the same bytes on the same Redis, interleaved round by round so both see the same machine.
 * A service round is PUT checkpoint 0 of a document, GET it back, then an untimed DELETE; a raw
 * round SET, GET, then an untimed DEL. Prints a Markdown table: p50 and p99 of a round's latency,
 * MB/s at the p50 round (2 x size moved), service / raw at p50; then the p50 of each half, and
 * of the same service round on the in-memory store (HTTP and service cost without Redis), and of
 * raw SET and GET made from a one-line Lua script (what moving the bytes through Lua costs), and of
 * a bare Reactor Netty server that only keeps and returns the bytes (the floor of HTTP here).
 * Untimed warm-up rounds come first for each size (3000 for the first, which warms up the JIT).
 *
 * <p>Usage: {@code CheckpointRoundTrip [rounds-scale]}; Redis from {@code BATON_REDIS_URL}
 * (default redis://127.0.0.1:6379). Run it through {@code bench/memory-roundtrip}.
 */
public final class CheckpointRoundTrip {

    private static final int[] SIZES = {64 * 1024, 1024 * 1024, 16 * 1024 * 1024};
    private static final String TENANT_HEADER = "X-Baton-Tenant";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private CheckpointRoundTrip() {
    }

    public static void main(String[] args) {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        String url = System.getenv().getOrDefault("BATON_REDIS_URL", "redis://127.0.0.1:6379");
        String tenant = "bench-" + UUID.randomUUID();
        RedisClient redisClient = RedisClient.create(url);
        ConnectionProvider pool = ConnectionProvider.create("bench", 1);
        DisposableServer bare = BareServer.start();
        try (MemoryServer server = MemoryServer.start(Map.of("baton.store.kind", "redis", "baton.redis.url", url,
                     "logging.level.root", "warn"));
             MemoryServer memoryServer = MemoryServer.start(Map.of("baton.store.kind", "memory",
                     "logging.level.root", "warn"));
             StatefulRedisConnection<byte[], byte[]> connection = redisClient.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> redis = connection.sync();
            // the same SET and GET made from a Lua script, as the Redis store's scripts move the bytes
            String luaSet = redis.scriptLoad("redis.call('SET', KEYS[1], ARGV[1]) return 1");
            String luaGet = redis.scriptLoad("return redis.call('GET', KEYS[1])");
            HttpClient http = HttpClient.create(pool).baseUrl(server.baseUrl())
                    .headers(headers -> headers.set(TENANT_HEADER, tenant));
            HttpClient memoryHttp = HttpClient.create(pool).baseUrl(memoryServer.baseUrl())
                    .headers(headers -> headers.set(TENANT_HEADER, tenant));
            HttpClient bareHttp = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + bare.port());
            StringBuilder table = new StringBuilder()
                    .append("| size | rounds | service p50 (ms) | service p99 (ms) | service MB/s | raw p50 (ms) "
                            + "| raw p99 (ms) | raw MB/s | service / raw (p50) |\n")
                    .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            StringBuilder halves = new StringBuilder()
                    .append("| size | service PUT p50 (ms) | service GET p50 (ms) | raw SET p50 (ms) | raw GET p50 (ms) "
                            + "| raw SET via Lua p50 (ms) | raw GET via Lua p50 (ms) "
                            + "| service on the in-memory store, PUT+GET p50 (ms) | bare Reactor Netty, PUT+GET p50 (ms) |\n")
                    .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (int size : SIZES) {
                String document = "doc-" + size;
                byte[] container = Checkpoints.exactly(Checkpoints.metadata(tenant, document, 0), size, size);
                byte[] key = ("bench:{" + tenant + "}:raw-" + size).getBytes(StandardCharsets.UTF_8);
                int rounds = (int) Math.max(10, scale * (size <= 64 * 1024 ? 2000 : size <= 1 << 20 ? 400 : 40));
                // the first size also warms up the JIT for the whole path: a longer warm-up there
                int warmup = size == SIZES[0] ? Math.max(rounds, 3000) : Math.max(5, rounds / 4);
                long[][] service = new long[2][rounds];
                long[][] raw = new long[2][rounds];
                long[] memoryService = new long[rounds];
                long[] bareNetty = new long[rounds];
                long[][] lua = new long[2][rounds];
                String path = "/v1/documents/" + document;
                for (int i = -warmup; i < rounds; i++) {
                    long[] timed = round(http, path, container);
                    long inMemory = sum(round(memoryHttp, path, container));
                    long bareRound = sum(round(bareHttp, path, container));

                    long rawStart = System.nanoTime();
                    redis.set(key, container);
                    long setDone = System.nanoTime();
                    byte[] back = redis.get(key);
                    long rawDone = System.nanoTime();
                    redis.del(key);
                    long luaStart = System.nanoTime();
                    redis.evalsha(luaSet, ScriptOutputType.INTEGER, new byte[][] {key}, container);
                    long luaSetDone = System.nanoTime();
                    byte[] luaBack = redis.evalsha(luaGet, ScriptOutputType.VALUE, key);
                    long luaDone = System.nanoTime();
                    redis.del(key);
                    if (luaBack == null || luaBack.length != container.length) {
                        throw new IllegalStateException("Lua GET returned " + (luaBack == null ? "nothing" : luaBack.length));
                    }
                    if (back == null || back.length != container.length) {
                        throw new IllegalStateException("raw GET returned " + (back == null ? "nothing" : back.length));
                    }
                    if (i >= 0) {
                        service[0][i] = timed[0];
                        service[1][i] = timed[1];
                        memoryService[i] = inMemory;
                        bareNetty[i] = bareRound;
                        raw[0][i] = setDone - rawStart;
                        raw[1][i] = rawDone - setDone;
                        lua[0][i] = luaSetDone - luaStart;
                        lua[1][i] = luaDone - luaSetDone;
                    }
                }
                table.append(row(size, rounds, sum(service), sum(raw)));
                halves.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n",
                        human(size), percentile(service[0], 0.5), percentile(service[1], 0.5),
                        percentile(raw[0], 0.5), percentile(raw[1], 0.5), percentile(lua[0], 0.5),
                        percentile(lua[1], 0.5), percentile(memoryService, 0.5), percentile(bareNetty, 0.5)));
                System.err.println("done: " + human(size));
            }
            System.out.println("Memory service put+get vs raw Lettuce SET+GET, " + LocalDate.now() + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores, Redis " + url + "\n");
            System.out.println(table);
            System.out.print(halves);
        } finally {
            pool.dispose();
            bare.disposeNow();
            RedisConnection.shutdown(redisClient);
        }
    }

    /**
     * The floor of any HTTP service here: a bare Reactor Netty server (no Spring, no checks) that
     * keeps the last PUT body in a field, answers it to a GET and 204 to a DELETE.
     */
    private static final class BareServer {

        private static volatile byte[] kept = new byte[0];

        static DisposableServer start() {
            return HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                    .put("/v1/documents/{doc}/checkpoints/{n}", (request, response) -> request.receive().aggregate()
                            .asByteArray().flatMap(body -> {
                                kept = body;
                                return response.status(201).sendString(Mono.just("{}")).then();
                            }))
                    .get("/v1/documents/{doc}/checkpoints/{n}", (request, response) ->
                            response.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(kept))).then())
                    .delete("/v1/documents/{doc}", (request, response) -> response.status(204).send()))
                    .bindNow();
        }
    }

    /** PUT, GET, DELETE of checkpoint 0 of the document at {@code path}: the PUT and GET times. */
    private static long[] round(HttpClient http, String path, byte[] container) {
        long start = System.nanoTime();
        int put = http.headers(h -> h.set("Content-Type", "application/octet-stream"))
                .put().uri(path + "/checkpoints/0")
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(container)))
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
                .block(TIMEOUT);
        long putDone = System.nanoTime();
        byte[] got = http.get().uri(path + "/checkpoints/0").responseContent().aggregate().asByteArray()
                .block(TIMEOUT);
        long getDone = System.nanoTime();
        int deleted = http.delete().uri(path).response().map(r -> r.status().code()).block(TIMEOUT);
        if (put != 201 || got == null || got.length != container.length || deleted != 204) {
            throw new IllegalStateException("service answered PUT " + put + ", GET "
                    + (got == null ? "nothing" : got.length + " bytes") + ", DELETE " + deleted);
        }
        return new long[] {putDone - start, getDone - putDone};
    }

    private static long sum(long[] halves) {
        return halves[0] + halves[1];
    }

    private static long[] sum(long[][] halves) {
        long[] total = new long[halves[0].length];
        for (int i = 0; i < total.length; i++) {
            total[i] = halves[0][i] + halves[1][i];
        }
        return total;
    }

    private static String row(int size, int rounds, long[] service, long[] raw) {
        double serviceP50 = percentile(service, 0.50);
        double rawP50 = percentile(raw, 0.50);
        return String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.0f | %.3f | %.3f | %.0f | %.2f |%n",
                human(size), rounds, serviceP50, percentile(service, 0.99), mbPerSecond(size, serviceP50),
                rawP50, percentile(raw, 0.99), mbPerSecond(size, rawP50), serviceP50 / rawP50);
    }

    /** The q-quantile in milliseconds (nearest rank). */
    private static double percentile(long[] nanos, double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
    }

    /** Megabytes (10^6) per second moved by one round: the bytes go up and come back. */
    private static double mbPerSecond(int size, double millis) {
        return 2.0 * size / 1e6 / (millis / 1e3);
    }

    private static String human(int size) {
        return size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
    }
}
