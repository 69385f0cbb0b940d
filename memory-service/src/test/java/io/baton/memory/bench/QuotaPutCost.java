package io.baton.memory.bench;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.memory.MemoryProperties;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.redis.RedisCheckpointStore;
import io.baton.memory.store.redis.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

/**
 * Benchmark, not a test: the cost of one checkpoint put with a tenant quota set, when the tenant
 * has 10 and 10,000 documents, before and after the usage counter, on the same Redis, interleaved
 * round by round so both see the same machine.
 * <ul>
 *   <li><b>before</b>: the quota check as it was (tenant-usage-walk.lua, the old tenant-usage.lua
 *       verbatim: HGETALL of the tenant's index and a sum in Lua, on Redis's one thread), then the
 *       put itself (staging SET + put.lua + index-set.lua), as the store did it;
 *   <li><b>after</b>: the store's put with the quota set: the counter read (tenant-usage.lua),
 *       then the same put.
 * </ul>
 * Each round continues one probe document by a segment of 1 KiB (K = 3, so its size stays put).
 * Also timed alone: the quota lookup of each kind (one script round trip). Prints a Markdown table
 * of p50 and p99 in ms.
 *
 * <p>Usage: {@code QuotaPutCost [rounds]}; Redis from {@code BATON_REDIS_URL} (default
 * redis://127.0.0.1:6379). Run it through {@code bench/quota-put-cost}.
 */
public final class QuotaPutCost {

    private static final int[] DOCUMENTS = {10, 10_000};
    private static final int SIZE = 1024;
    private static final String MODEL = "bench-model";
    private static final String DIGEST = "b".repeat(64);

    private QuotaPutCost() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String url = System.getenv().getOrDefault("BATON_REDIS_URL", "redis://127.0.0.1:6379");
        RedisSettings settings = new MemoryProperties.Redis(url, "standalone", Duration.ofSeconds(30), true, RedisSettings.Tls.NONE).settings();
        RedisClient rawClient = RedisClient.create(url);
        StringBuilder table = new StringBuilder()
                .append("| documents of the tenant | rounds | put p50 before (ms) | put p50 after (ms) | put p99 before (ms) "
                        + "| put p99 after (ms) | quota lookup p50 before (ms) | quota lookup p50 after (ms) |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        try (RedisConnection connection = RedisConnection.open(settings);
             StatefulRedisConnection<String, String> rawConnection = rawClient.connect()) {
            RedisCommands<String, String> raw = rawConnection.sync();
            String walk = raw.scriptLoad(walkScript());
            String counter = raw.scriptLoad(resource("redis/tenant-usage.lua"));
            RedisCheckpointStore unlimited = new RedisCheckpointStore(connection, new StorePolicy(3, Duration.ofHours(1), 0));
            RedisCheckpointStore limited = new RedisCheckpointStore(connection,
                    new StorePolicy(3, Duration.ofHours(1), Long.MAX_VALUE / 4));
            for (int documents : DOCUMENTS) {
                String tenant = "bench-quota-" + UUID.randomUUID().toString().substring(0, 8);
                try {
                    for (int i = 0; i < documents; i++) {
                        limited.put(new DocumentKey(tenant, "doc-" + i), record(0, i)).block();
                    }
                    DocumentKey probe = new DocumentKey(tenant, "probe");
                    String[] tenantKeys = {RedisKeys.tenantIndex(tenant), RedisKeys.tenantUsage(tenant),
                            RedisKeys.tenantExpiries(tenant)};
                    long n = 0;
                    int warmUp = rounds / 5;
                    double[] before = new double[rounds];
                    double[] after = new double[rounds];
                    double[] walkAlone = new double[rounds];
                    double[] counterAlone = new double[rounds];
                    for (int round = -warmUp; round < rounds; round++) {
                        long t0 = System.nanoTime();
                        raw.evalsha(walk, ScriptOutputType.INTEGER, new String[] {tenantKeys[0]}, "probe");
                        unlimited.put(probe, record(n++, round)).block();
                        long t1 = System.nanoTime();
                        limited.put(probe, record(n++, round)).block();
                        long t2 = System.nanoTime();
                        raw.evalsha(walk, ScriptOutputType.INTEGER, new String[] {tenantKeys[0]}, "probe");
                        long t3 = System.nanoTime();
                        raw.evalsha(counter, ScriptOutputType.INTEGER, tenantKeys, "probe");
                        long t4 = System.nanoTime();
                        if (round >= 0) {
                            before[round] = (t1 - t0) / 1e6;
                            after[round] = (t2 - t1) / 1e6;
                            walkAlone[round] = (t3 - t2) / 1e6;
                            counterAlone[round] = (t4 - t3) / 1e6;
                        }
                    }
                    table.append(String.format(Locale.ROOT, "| %,d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n",
                            documents, rounds, quantile(before, 0.5), quantile(after, 0.5), quantile(before, 0.99),
                            quantile(after, 0.99), quantile(walkAlone, 0.5), quantile(counterAlone, 0.5)));
                } finally {
                    for (int i = 0; i < documents; i++) {
                        unlimited.delete(new DocumentKey(tenant, "doc-" + i)).block();
                    }
                    unlimited.delete(new DocumentKey(tenant, "probe")).block();
                }
            }
        } finally {
            RedisConnection.shutdown(rawClient);
        }
        System.out.println("QuotaPutCost, " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, Redis at " + url + ", checkpoints of " + SIZE + " bytes, K = 3\n");
        System.out.print(table);
    }

    private static CheckpointRecord record(long n, int variant) {
        byte[] stored = new byte[SIZE];
        Arrays.fill(stored, (byte) (n * 31 + variant));
        stored[0] = (byte) n;
        stored[1] = (byte) (n >>> 8);
        stored[2] = (byte) (n >>> 16);
        return new CheckpointRecord(n, n + 1, MODEL, DIGEST, SIZE, stored);
    }

    private static String walkScript() throws IOException {
        return resource("bench/tenant-usage-walk.lua");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = QuotaPutCost.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
}
