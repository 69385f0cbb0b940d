/**
 * The Redis checkpoint store: key layout, Lua scripts (resources under {@code redis/}), the
 * Lettuce connection (standalone, Sentinel, Cluster; AUTH and TLS from the URL) and its settings.
 * See {@code docs/state-store.md}.
 */
package io.baton.memory.store.redis;
