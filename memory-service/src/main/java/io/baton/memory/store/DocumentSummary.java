package io.baton.memory.store;

import java.time.Instant;

/** One entry of a tenant's document list. */
public record DocumentSummary(String document, long segment, long storedBytes, Instant expiresAt) {
}
