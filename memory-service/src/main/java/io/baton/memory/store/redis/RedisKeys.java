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

    /** The tenant's index: a hash of document id to {@code <storedBytes>:<expiresAtMillis>:<segment>:<version>}. */
    public static String tenantIndex(String tenant) {
        return "baton:{tenant:" + DocumentKey.requireTenant(tenant) + "}:docs";
    }

    /**
     * The tenant's usage counter: a hash of document id to the stored bytes counted for it, and
     * {@code :total} (no document id can contain ':') to their sum, kept with the index in one step.
     */
    public static String tenantUsage(String tenant) {
        return "baton:{tenant:" + DocumentKey.requireTenant(tenant) + "}:usage";
    }

    /** The documents counted in the tenant's usage, by expiry (ZSET doc -> expiresAtMillis). */
    public static String tenantExpiries(String tenant) {
        return "baton:{tenant:" + DocumentKey.requireTenant(tenant) + "}:expiries";
    }

    /** The tenant's index, usage counter and expiries: the keys of every script on the tenant's slot. */
    static String[] tenantKeys(String tenant) {
        return new String[] {tenantIndex(tenant), tenantUsage(tenant), tenantExpiries(tenant)};
    }

    private static String prefix(DocumentKey key) {
        return "baton:{" + key.tenant() + ":" + key.document() + "}:";
    }
}
