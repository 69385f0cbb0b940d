package io.baton.memory.store.redis;

import io.baton.memory.store.Head;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A document's head hash as read from Redis: the {@link Head}, and the per-checkpoint fields
 * ({@code size:<n>}, {@code tokens:<n>}, {@code bytes:<n>}) of its kept checkpoints.
 */
record RedisHead(Head head, Map<String, byte[]> fields) {

    /** Parses the fields of {@code baton:{<tenant>:<doc>}:head}; stored bytes = sum of {@code size:<n>}. */
    static RedisHead of(Map<String, byte[]> fields) {
        long segment = number(fields, "segment");
        long oldest = number(fields, "oldest");
        long stored = 0;
        for (long m = oldest; m <= segment; m++) {
            byte[] size = fields.get("size:" + m);
            stored += size == null ? 0 : Long.parseLong(new String(size, StandardCharsets.US_ASCII));
        }
        Head head = new Head(segment, number(fields, "tokens"), text(fields, "model"), text(fields, "digest"),
                number(fields, "bytes"), stored, number(fields, "version"), oldest);
        return new RedisHead(head, Map.copyOf(fields));
    }

    /** Tokens consumed up to kept checkpoint n. */
    long tokensOf(long segment) {
        return number(fields, "tokens:" + segment);
    }

    /** Container size as the client sent checkpoint n. */
    long bytesOf(long segment) {
        return number(fields, "bytes:" + segment);
    }

    private static long number(Map<String, byte[]> fields, String name) {
        return Long.parseLong(text(fields, name));
    }

    private static String text(Map<String, byte[]> fields, String name) {
        byte[] value = fields.get(name);
        if (value == null) {
            throw new IllegalStateException("the head hash has no field '" + name + "'; it was not written by this store");
        }
        return new String(value, StandardCharsets.UTF_8);
    }
}
