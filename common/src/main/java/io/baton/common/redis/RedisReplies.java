package io.baton.common.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading the replies of Lua scripts run over {@link RedisConnection} (values are raw bytes,
 * {@link RedisConnection#CODEC}), and writing their text arguments: one set of helpers for every
 * store on Redis.
 */
public final class RedisReplies {

    private RedisReplies() {
    }

    /** A text argument as the UTF-8 bytes a script reads. */
    public static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** A reply element as text: bytes as UTF-8, anything else (a number) by {@code String.valueOf}. */
    public static String str(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    /** A multi-bulk reply as the list it is. */
    @SuppressWarnings("unchecked")
    public static List<Object> asList(Object value) {
        return (List<Object>) value;
    }

    /** A flat {@code [field, value, field, value, ...]} reply as a map. */
    public static Map<String, byte[]> pairs(List<Object> flat) {
        Map<String, byte[]> map = new HashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(str(flat.get(i)), (byte[]) flat.get(i + 1));
        }
        return map;
    }
}
