/**
 * The connection to Redis that services storing there share: {@link
 * io.baton.common.redis.RedisSettings} (standalone, Sentinel, Cluster; AUTH and TLS from the URL,
 * checked before anything connects), one lazily opened Lettuce {@link
 * io.baton.common.redis.RedisConnection} with UTF-8 keys and byte values, and the Lua scripts it
 * runs by digest ({@link io.baton.common.redis.RedisScript}). What each service keeps in Redis,
 * its key layout and its scripts, stays in the service (memory's checkpoint store, the gateway's
 * job store). A module that uses this package declares {@code lettuce-core} itself.
 */
package io.baton.common.redis;
