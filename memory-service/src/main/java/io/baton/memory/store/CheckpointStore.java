package io.baton.memory.store;

import reactor.core.publisher.Mono;

/**
 * Where documents' checkpoints live between segments. Every operation is scoped to one tenant:
 * a tenant can never read, list, overwrite or learn of another tenant's documents.
 *
 * <p>Semantics every implementation keeps (checked by the shared contract test suite):
 * <ul>
 *   <li><b>Compare-and-set.</b> {@link #put} of segment n succeeds only if the head is n-1, or the
 *       document has no head and n = 0; the head and checkpoint change together, atomically.
 *   <li><b>Idempotence.</b> A put of a segment whose checkpoint is still kept with identical
 *       stored bytes succeeds without change ({@link PutResult#created()} false). Anything else
 *       that is not the next segment fails with {@link CheckpointConflictException}.
 *   <li><b>Same model.</b> A put whose model id or digest differs from the head's fails with
 *       {@link ModelMismatchException}.
 *   <li><b>Retention.</b> The last K checkpoints (K >= 2, configured) are kept; older ones are
 *       deleted by the put that retires them.
 *   <li><b>TTL.</b> Every accepted write refreshes the time-to-live of all the document's keys;
 *       an expired document is gone as a whole.
 *   <li><b>Quota.</b> A put that would take the tenant's stored bytes over its quota fails with
 *       {@link QuotaExceededException} and changes nothing.
 *   <li><b>Failures</b> of the backing store surface as {@link StoreUnavailableException}.
 * </ul>
 */
public interface CheckpointStore {

    /** The document's head; empty when the document does not exist (for this tenant). */
    Mono<Head> head(DocumentKey key);

    /**
     * Kept checkpoint n. Errors: {@link DocumentNotFoundException}, {@link
     * CheckpointNotFoundException} when n is not kept.
     */
    Mono<StoredCheckpoint> checkpoint(DocumentKey key, long segment);

    /** Compare-and-set write of checkpoint {@code record.segment()}; see the class comment. */
    Mono<PutResult> put(DocumentKey key, CheckpointRecord record);

    /**
     * A new document {@code target} (same tenant) whose only checkpoint is a copy of the source's
     * kept checkpoint n, with the same segment index, tokens and model; the source is unchanged.
     * {@code rewrite} turns the stored bytes of the source into those of the target (the
     * container names its document). Errors: {@link DocumentNotFoundException}, {@link
     * CheckpointNotFoundException}, {@link DocumentExistsException} when the target exists.
     */
    Mono<Head> fork(DocumentKey source, long segment, DocumentKey target,
                    java.util.function.UnaryOperator<byte[]> rewrite);

    /** A page of the tenant's documents, at most {@code limit}, from {@code cursor} (null: first). */
    Mono<DocumentPage> list(String tenant, String cursor, int limit);

    /** Deletes the document and all its checkpoints; false when it did not exist. */
    Mono<Boolean> delete(DocumentKey key);

    /**
     * Deletes the document and all its checkpoints only if its head checkpoint (the newest) has
     * the digest {@code headDigest} (hex SHA-256 of its stored bytes), decided in the same atomic
     * step as the delete: a writer that cleans up after itself deletes only what it stored last,
     * never a document another writer has moved on or created again under the same id. False when
     * it did not exist. Errors: {@link HeadMismatchException} when the head checkpoint has another
     * digest (or, written before digests were kept, none).
     */
    Mono<Boolean> delete(DocumentKey key, String headDigest);
}
