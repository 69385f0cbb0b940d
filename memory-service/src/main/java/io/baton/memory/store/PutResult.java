package io.baton.memory.store;

/**
 * The outcome of a put: the document's head afterwards, and whether this call wrote the
 * checkpoint ({@code created}) or found the identical checkpoint already stored (an idempotent
 * repeat, e.g. a retry after a lost acknowledgement).
 */
public record PutResult(Head head, boolean created) {
}
