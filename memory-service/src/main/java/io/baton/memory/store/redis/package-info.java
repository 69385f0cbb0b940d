/**
 * The Redis checkpoint store: key layout and Lua scripts (resources under {@code redis/}), over the
 * shared Lettuce connection of {@link io.baton.common.redis} (standalone, Sentinel, Cluster; AUTH
 * and TLS from the URL), whose settings come from {@code baton.redis.*}
 * ({@link io.baton.memory.MemoryProperties.Redis#settings()}). See {@code docs/state-store.md}.
 */
package io.baton.memory.store.redis;
