package io.baton.protocol.memory;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * The memory service as its callers (inference, the gateway's documents API) use it: read a kept
 * checkpoint, read the head, store the next checkpoint with compare-and-set, delete a document (unconditionally, or only
 * while its head is a checkpoint the caller names).
 * Over HTTP in distributed mode ({@link HttpMemoryClient}); in-process in standalone mode. Both
 * fail the same way for the same answer: with a {@link io.baton.protocol.problems.ServiceCallException}
 * of the memory service's problem type, or {@code memory-unavailable} when it cannot be reached.
 */
public interface MemoryClient {

    /** Checkpoint n's container bytes; empty when the document has no such kept checkpoint. */
    Mono<byte[]> checkpoint(String tenant, String document, long segment);

    /**
     * Checkpoint n's container bytes and its stored digest, for a writer that continues from it
     * (and names that digest as the parent of what it writes); empty when the document has no
     * such kept checkpoint.
     */
    Mono<KeptCheckpoint> kept(String tenant, String document, long segment);

    /** The document's head; empty when the document has no checkpoint. */
    Mono<StoredHead> head(String tenant, String document);

    /**
     * Stores checkpoint n; succeeds when the head was n-1 or the identical checkpoint n is already
     * stored (a retry). Fails with {@code checkpoint-conflict} (with {@code expectedSegment}) when
     * another writer was first, {@code model-mismatch} when the document holds another model's
     * state, and, when {@code parentDigest} is not null, {@code parent-mismatch} when the kept
     * checkpoint n-1 is not the one with that digest; {@code quota-exceeded} when the tenant's
     * quota is spent.
     */
    default Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest) {
        return put(tenant, document, segment, container, parentDigest, Duration.ZERO);
    }

    /**
     * As {@link #put(String, String, long, byte[], String)}, putting ahead: when the head is still
     * behind n-1 (a writer that sent n before n-1's put was answered), the memory service waits up
     * to {@code parentWait} (capped by its {@code baton.limits.max-parent-wait}) for n-1 to be
     * stored, then stores n on condition that the kept n-1 has {@code parentDigest}. When n-1 is
     * not stored in time, the put fails with {@code checkpoint-conflict} as without a wait. Only a
     * put that names its parent waits; {@link Duration#ZERO}: not at all.
     */
    Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest,
                      Duration parentWait);

    /**
     * Deletes the document and all its checkpoints.
     *
     * @return true when it was deleted, false when the tenant had no such document
     */
    Mono<Boolean> delete(String tenant, String document);

    /**
     * Deletes the document and all its checkpoints only if its head checkpoint is still the one
     * with the stored digest {@code headDigest} ({@link Written#storedDigest()} of the put that
     * stored it), checked in the same step as the delete: a writer cleaning up after itself
     * deletes only what it stored last, never a document another writer moved on or created again
     * under the same id.
     *
     * @return true when it was deleted; false when nothing was: the tenant had no such document, or
     *         its head checkpoint is another one
     */
    Mono<Boolean> delete(String tenant, String document, String headDigest);
}
