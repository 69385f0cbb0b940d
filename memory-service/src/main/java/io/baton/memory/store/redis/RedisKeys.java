package io.baton.memory.store.redis;

import io.baton.memory.store.DocumentKey;

/**
 * Names of the Redis keys of the store. All keys of one document share the hash tag
 * {@code {<tenant>:<doc>}}, so they live in one Cluster slot and one Lua script may touch them all;
 * a tenant's index has its own tag {@code {tenant:<tenant>}}. Tenant and document ids cannot
 * contain ':', '{' or '}' ({@link DocumentKey}), so no two documents share a key.
 */
public final class RedisKeys {

    private RedisKeys() {
    }

    /** The head hash of the document. */
    public static String head(DocumentKey key) {
        return prefix(key) + "head";
    }

    /** The string holding stored checkpoint n of the document. */
    public static String checkpoint(DocumentKey key, long segment) {
        return prefix(key) + "ckpt:" + segment;
    }

    /**
     * A staging key of the document: a put writes the bytes here first (short TTL), and put.lua
     * renames it to the checkpoint key when it accepts the write, or deletes it.
     */
    public static String staging(DocumentKey key, String id) {
        return prefix(key) + "staging:" + id;
    }

    /** The tenant's index: a hash of document id to {@code <storedBytes>:<expiresAtMillis>:<version>}. */
    public static String tenantIndex(String tenant) {
        return "baton:{tenant:" + DocumentKey.requireTenant(tenant) + "}:docs";
    }

    private static String prefix(DocumentKey key) {
        return "baton:{" + key.tenant() + ":" + key.document() + "}:";
    }
}
