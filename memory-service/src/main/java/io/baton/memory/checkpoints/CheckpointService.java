package io.baton.memory.checkpoints;

import io.baton.common.state.ReadOptions;
import io.baton.memory.MemoryProperties;
import io.baton.memory.encoding.Downcast;
import io.baton.memory.encoding.EncodingExecutor;
import io.baton.memory.encoding.StateEncoding;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.baton.memory.store.Head;
import io.baton.memory.store.PutResult;
import io.baton.memory.store.StoredCheckpoint;
import io.baton.protocol.CheckpointMetadata;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Reads and writes checkpoints: a write is validated (container and metadata) and encoded
 * (compression, downcast) before the store's compare-and-set; a read decodes back to the
 * container the client wrote. Encoding and decoding of large bodies run on the encoding executor,
 * never on an event-loop thread.
 */
@Service
public class CheckpointService {

    /** How often a put waiting for its parent looks at the head (a parent stored through another replica). */
    static final Duration PARENT_POLL = Duration.ofMillis(5);

    private final CheckpointStore store;
    private final StateEncoding encoding;
    private final EncodingExecutor executor;
    private final ReadOptions readOptions;
    private final CheckpointValidator validator;
    private final long maxCheckpointBytes;
    private final StoreMetrics metrics;
    private final ParentWaits parents;
    private final Duration maxParentWait;

    public CheckpointService(CheckpointStore store, StateEncoding encoding, EncodingExecutor executor,
                             MemoryProperties properties, MeterRegistry registry) {
        this.store = store;
        this.metrics = new StoreMetrics(registry);
        this.encoding = encoding;
        this.executor = executor;
        this.readOptions = new ReadOptions((int) Math.min(Integer.MAX_VALUE, properties.limits().maxHeaderBytes()));
        this.validator = new CheckpointValidator(readOptions);
        this.maxCheckpointBytes = properties.limits().maxCheckpointBytes();
        this.maxParentWait = properties.limits().maxParentWait();
        this.parents = new ParentWaits(PARENT_POLL, properties.limits().maxParentWaitBytes());
        Gauge.builder("baton.state.parent.waiting", parents, ParentWaits::waitingNow)
                .description("puts waiting for their parent, sent ahead of it, to be stored").register(registry);
    }

    /** The document's head; fails with {@link DocumentNotFoundException} when there is none. */
    public Mono<Head> head(DocumentKey key) {
        return metrics.timed("head", store.head(key)).switchIfEmpty(Mono.error(() -> new DocumentNotFoundException(key)));
    }

    /** Kept checkpoint n as stored (encoded). */
    public Mono<StoredCheckpoint> stored(DocumentKey key, long segment) {
        return Mono.defer(() -> metrics.timed("read", store.checkpoint(key, index(segment))));
    }

    /** The container a stored checkpoint was written as, and its metadata. */
    public Mono<StateEncoding.Decoded> decode(StoredCheckpoint stored) {
        int work = encoding.decodes(stored.stored()) ? stored.stored().length : 0;
        return executor.submit(work, () -> encoding.decode(stored.stored(), readOptions));
    }

    /**
     * The digest of a stored checkpoint (hex SHA-256 of its stored bytes, as its put reported it):
     * what a put of the next checkpoint names as its parent.
     */
    public Mono<String> digest(StoredCheckpoint stored) {
        return executor.submit(stored.stored().length, () -> CheckpointRecord.digest(stored.stored()));
    }

    /** Kept checkpoint n, decoded. */
    public Mono<StateEncoding.Decoded> read(DocumentKey key, long segment) {
        return stored(key, segment).flatMap(this::decode);
    }

    /**
     * Validates {@code body} as checkpoint n of {@code key}, encodes it and stores it with
     * compare-and-set; nothing is stored when a check fails.
     */
    public Mono<PutResult> write(DocumentKey key, long segment, byte[] body) {
        return write(key, segment, body, null);
    }

    /**
     * As {@link #write(DocumentKey, long, byte[])}, and when {@code parentDigest} is not null only
     * on top of the kept checkpoint n-1 with that digest (else {@code ParentMismatchException}).
     */
    public Mono<PutResult> write(DocumentKey key, long segment, byte[] body, String parentDigest) {
        return write(key, segment, body, parentDigest, Duration.ZERO);
    }

    /**
     * As {@link #write(DocumentKey, long, byte[], String)}; when the head is still behind n-1 (the
     * put of n-1 is on its way: put ahead), waits up to {@code parentWait} (at most {@code
     * baton.limits.max-parent-wait}) for n-1 to be stored, then stores n on the same condition. A
     * put of n-1 through this service wakes it at once; one through another replica is seen by a
     * look at the head every {@link #PARENT_POLL} (not while a put of n-1 is in progress here).
     * When n-1 is not stored in time the put is refused as not next, as without a wait. Only a put
     * that names its parent waits, and only while
     * the bodies waiting stay within {@code baton.limits.max-parent-wait-bytes}; beyond, it is
     * refused at once.
     */
    public Mono<PutResult> write(DocumentKey key, long segment, byte[] body, String parentDigest,
                                 Duration parentWait) {
        Duration wait = parentDigest == null || segment == 0 || parentWait.isNegative() ? Duration.ZERO
                : parentWait.compareTo(maxParentWait) > 0 ? maxParentWait : parentWait;
        // in progress from here, so that a put ahead waiting for this one on this service need not look at the head
        return Mono.using(() -> parents.putting(key, segment), putting -> Mono
                .fromCallable(() -> validator.validate(key, index(segment), sized(body)))
                // the record's digest (SHA-256 of every stored byte) is work over the whole body
                // even when nothing is encoded: off the event loop for a large one
                .flatMap(valid -> executor.submit(valid.bytes().length,
                        () -> new CheckpointRecord(segment, valid.tokens(), valid.model(), valid.modelDigest(),
                                valid.bytes().length, encoding.encode(valid.bytes(), valid.container()))
                                .withParent(parentDigest)))
                .flatMap(record -> wait.isZero() ? put(key, record)
                        : afterParent(key, record, System.nanoTime() + wait.toNanos())), Runnable::run);
    }

    /** The store's compare-and-set of {@code record}; waiters for it woken once it is stored. */
    private Mono<PutResult> put(DocumentKey key, CheckpointRecord record) {
        return metrics.timed("write", store.put(key, record)).doOnNext(put -> {
            if (put.created()) {
                metrics.written(record.stored().length);
            }
            parents.stored(key, record.segment());
        });
    }

    /**
     * {@link #put} of checkpoint n once n-1 is stored, or at {@code deadline} ({@link
     * System#nanoTime()}) when it is not (the put then gives the refusal it would have had). The
     * head is looked at before the put, so that a put ahead does not send its body to the store
     * only to be refused; the waiter is registered before that look, so a parent stored in between
     * is not missed.
     */
    private Mono<PutResult> afterParent(DocumentKey key, CheckpointRecord record, long deadline) {
        long parent = record.segment() - 1;
        return Mono.using(() -> parents.await(key, parent), waiter -> headAtLeast(key, parent).flatMap(there -> {
            if (there) {
                return put(key, record);
            }
            Runnable waiting = parents.waiting(record.stored().length);
            if (waiting == null) {
                metrics.parentWait(System.nanoTime(), "full");
                return put(key, record);
            }
            long since = System.nanoTime();
            return Mono.using(() -> waiting, counted -> parentStored(key, waiter, parent, deadline), Runnable::run)
                    .flatMap(stored -> {
                        metrics.parentWait(since, stored ? "stored" : "refused");
                        return put(key, record);
                    });
        }), ParentWaits.Waiter::close);
    }

    /** Whether the head of {@code key} is checkpoint {@code segment} or later. */
    private Mono<Boolean> headAtLeast(DocumentKey key, long segment) {
        return metrics.timed("head", store.head(key)).map(head -> head.segment() >= segment).defaultIfEmpty(false);
    }

    /** True once checkpoint {@code parent} of {@code key} is stored; false at {@code deadline}. */
    private Mono<Boolean> parentStored(DocumentKey key, ParentWaits.Waiter waiter, long parent, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return Mono.just(false);
        }
        return waiter.storedWithin(Duration.ofNanos(left)).flatMap(seen -> seen ? Mono.just(true)
                : headAtLeast(key, parent).flatMap(there -> there ? Mono.just(true)
                        : parentStored(key, waiter, parent, deadline)));
    }

    /** {@code segment}, a checkpoint index; a negative one is refused as over HTTP. */
    private static long index(long segment) {
        if (segment < 0) {
            throw new InvalidSegmentException("segment index " + segment + " is negative");
        }
        return segment;
    }

    /**
     * {@code body}, neither empty nor over {@code baton.limits.max-checkpoint-bytes}: the same
     * limits whether the body came over HTTP (where the reader stops early) or in-process.
     */
    private byte[] sized(byte[] body) {
        if (body.length == 0) {
            throw new EmptyBodyException("the checkpoint body is empty; send the state container");
        }
        if (body.length > maxCheckpointBytes) {
            throw new PayloadTooLargeException("body of " + body.length + " bytes exceeds the limit of "
                    + maxCheckpointBytes + " bytes (baton.limits.max-checkpoint-bytes)", maxCheckpointBytes);
        }
        return body;
    }

    /**
     * Whether a checkpoint reads back exactly as it was written (no lossy downcast configured), so
     * a writer may keep the state it wrote and continue from it, naming the stored digest as the
     * parent of its next write instead of reading the checkpoint back.
     */
    public boolean exact() {
        return encoding.downcast() == Downcast.NONE;
    }

    /** A new document {@code target} starting from checkpoint n of {@code source}. */
    public Mono<Head> fork(DocumentKey source, long segment, DocumentKey target) {
        return metrics.timed("fork", store.fork(source, segment, target, stored -> encoding.withMetadata(stored,
                Map.of(CheckpointMetadata.DOCUMENT, target.document()), readOptions)));
    }

    /** Deletes the document and all its checkpoints; false when it did not exist. */
    public Mono<Boolean> delete(DocumentKey key) {
        return metrics.timed("delete", store.delete(key));
    }

    /**
     * Deletes the document only if its head checkpoint has the stored digest {@code headDigest};
     * false when it did not exist, {@link io.baton.memory.store.HeadMismatchException} when the head
     * is another checkpoint.
     */
    public Mono<Boolean> delete(DocumentKey key, String headDigest) {
        return metrics.timed("delete", store.delete(key, headDigest));
    }

    /** Tokens consumed up to a checkpoint, from its metadata (validated when it was written). */
    public static long tokens(Map<String, String> metadata, Head head) {
        String tokens = metadata.get(CheckpointMetadata.TOKENS);
        return tokens != null ? Long.parseLong(tokens) : head.tokens();
    }
}
