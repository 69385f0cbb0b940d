/**
 * The memory service's HTTP API (WebFlux): heads, checkpoints (read, compare-and-set write,
 * fork), the document list and delete, all scoped to the tenant of the {@code X-Baton-Tenant}
 * header. Checks every request before anything is stored and answers every failure as an RFC
 * 9457 problem detail. The routes are described in {@code docs/memory-api.md}.
 */
package io.baton.memory.api;
