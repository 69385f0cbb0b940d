package io.baton.memory.api;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything Redis holds for one tenant, read with raw Lettuce: every key of its documents
 * ({@code baton:{<tenant>:<doc>}:*}) and its index ({@code baton:{tenant:<tenant>}:*}), each with
 * its serialized value ({@code DUMP}) and remaining time-to-live. Two snapshots are equal when no
 * key was added, removed or changed; {@link #ttlNotRefreshedSince} tells a TTL refresh apart.
 */
record RedisSnapshot(Map<String, String> values, Map<String, Long> ttls) {

    static RedisSnapshot of(RedisCommands<byte[], byte[]> redis, String tenant) {
        Map<String, String> values = new TreeMap<>();
        Map<String, Long> ttls = new TreeMap<>();
        for (String pattern : new String[] {"baton:{" + tenant + ":*", "baton:{tenant:" + tenant + "}*"}) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<byte[]> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                for (byte[] key : page.getKeys()) {
                    byte[] dump = redis.dump(key);
                    if (dump != null) {
                        String name = new String(key, StandardCharsets.UTF_8);
                        values.put(name, Base64.getEncoder().encodeToString(dump));
                        ttls.put(name, redis.pttl(key));
                    }
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        return new RedisSnapshot(values, ttls);
    }

    /** Whether no key's TTL is longer now than in {@code before} (nothing refreshed it). */
    boolean ttlNotRefreshedSince(RedisSnapshot before) {
        return ttls.entrySet().stream().allMatch(e -> {
            Long earlier = before.ttls().get(e.getKey());
            return earlier != null && e.getValue() <= earlier;
        });
    }
}
