package io.baton.memory.store.inmemory;

import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.CheckpointNotFoundException;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentExistsException;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.baton.memory.store.DocumentPage;
import io.baton.memory.store.DocumentSummary;
import io.baton.memory.store.Head;
import io.baton.memory.store.HeadMismatchException;
import io.baton.memory.store.InvalidCursorException;
import io.baton.memory.store.InvalidIdException;
import io.baton.memory.store.ModelMismatchException;
import io.baton.memory.store.ParentMismatchException;
import io.baton.memory.store.PutResult;
import io.baton.memory.store.QuotaExceededException;
import io.baton.memory.store.StoreFullException;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.StoredCheckpoint;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The checkpoint store of standalone mode: documents in this JVM's heap, bounded by the total of
 * stored bytes. When a write takes the store over {@code maxBytes}, whole documents are evicted,
 * least recently used first (every operation on a document but listing counts as a use); a
 * document larger than the whole store is refused with {@link StoreFullException}.
 *
 * <p>Time-to-live is kept lazily: a document whose last accepted write is older than the TTL by
 * the store's {@link Clock} is treated as absent and dropped when next touched (or when space is
 * needed). One lock guards the whole store; every operation is a short in-memory step, so the
 * returned {@link Mono}s never wait on anything but that lock. Stored bytes are copied in and out,
 * so callers cannot change a checkpoint after the fact.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(InMemoryCheckpointStore.class);

    private final StorePolicy policy;
    private final long maxBytes;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Every document, least recently used first. */
    private final LinkedHashMap<DocumentKey, Document> documents = new LinkedHashMap<>(64, 0.75f, true);
    /** The same documents per tenant, with the tenant's stored bytes. */
    private final Map<String, Tenant> tenants = new HashMap<>();
    private long totalBytes;

    /**
     * @param policy   retention, TTL and tenant quota
     * @param maxBytes most stored bytes kept, all tenants together (at least 1)
     * @param clock    the clock TTLs are measured by
     */
    public InMemoryCheckpointStore(StorePolicy policy, long maxBytes, Clock clock) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("memory store capacity must be at least 1 byte, was " + maxBytes);
        }
        this.policy = Objects.requireNonNull(policy, "policy");
        this.maxBytes = maxBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Stored bytes currently held, all documents together (expired ones not yet dropped included). */
    public long storedBytes() {
        return locked(() -> totalBytes);
    }

    @Override
    public String toString() {
        return "memory (at most " + maxBytes + " stored bytes, least recently used documents evicted), keep "
                + policy.keep() + ", ttl " + policy.ttl() + ", tenant quota "
                + (policy.hasQuota() ? policy.tenantQuotaBytes() + " bytes" : "none");
    }

    @Override
    public Mono<Head> head(DocumentKey key) {
        return Mono.fromCallable(() -> locked(() -> {
            Document document = live(key);
            return document == null ? null : document.head();
        }));
    }

    @Override
    public Mono<StoredCheckpoint> checkpoint(DocumentKey key, long segment) {
        return Mono.fromCallable(() -> locked(() -> {
            Document document = existing(key);
            Kept kept = document.checkpoints.get(segment);
            if (kept == null) {
                throw new CheckpointNotFoundException(key, segment, document.head());
            }
            return new StoredCheckpoint(segment, document.head(), kept.stored().clone());
        }));
    }

    @Override
    public Mono<PutResult> put(DocumentKey key, CheckpointRecord record) {
        Objects.requireNonNull(record, "record");
        return Mono.fromCallable(() -> locked(() -> {
            long n = record.segment();
            Document document = live(key);
            if (document == null) {
                if (n != 0) {
                    throw new CheckpointConflictException(key, n, null);
                }
            } else {
                if (!document.model.equals(record.model()) || !document.modelDigest.equals(record.modelDigest())) {
                    throw new ModelMismatchException(key, record.model(), record.modelDigest(), document.head());
                }
                if (n != document.segment + 1) {
                    Kept kept = document.checkpoints.get(n);
                    if (kept != null && kept.digest().equals(record.digest())) {
                        return new PutResult(document.head(), false, kept.digest());
                    }
                    throw new CheckpointConflictException(key, n, document.head());
                }
                Kept parent = document.checkpoints.get(n - 1);
                if (record.parentDigest() != null && (parent == null || !parent.digest().equals(record.parentDigest()))) {
                    throw new ParentMismatchException(key, n, record.parentDigest());
                }
            }
            long before = document == null ? 0 : document.storedBytes;
            long retired = document == null ? 0
                    : document.checkpoints.headMap(n - policy.keep(), true).values().stream()
                            .mapToLong(kept -> kept.stored().length).sum();
            long after = before - retired + record.stored().length;
            admit(key, before, after);

            if (document == null) {
                document = add(key, record.model(), record.modelDigest());
            }
            Tenant own = tenants.get(key.tenant());
            own.uncount(document);
            document.checkpoints.headMap(n - policy.keep(), true).clear();
            document.checkpoints.put(n, new Kept(record.stored().clone(), record.tokens(), record.bytes(), record.digest()));
            document.segment = n;
            document.tokens = record.tokens();
            document.bytes = record.bytes();
            document.version++;
            document.storedBytes = after;
            document.expiresAt = clock.instant().plus(policy.ttl());
            own.count(document);
            totalBytes += after - before;
            evictFor(key);
            return new PutResult(document.head(), true, record.digest());
        }));
    }

    @Override
    public Mono<Head> fork(DocumentKey source, long segment, DocumentKey target, UnaryOperator<byte[]> rewrite) {
        Objects.requireNonNull(rewrite, "rewrite");
        return Mono.fromCallable(() -> locked(() -> {
            if (!source.tenant().equals(target.tenant())) {
                throw new IllegalArgumentException("a fork stays within its tenant");
            }
            Document from = existing(source);
            Kept kept = from.checkpoints.get(segment);
            if (kept == null) {
                throw new CheckpointNotFoundException(source, segment, from.head());
            }
            if (live(target) != null) {
                throw new DocumentExistsException(target);
            }
            byte[] stored = Objects.requireNonNull(rewrite.apply(kept.stored().clone()), "rewritten checkpoint");
            admit(target, 0, stored.length);

            Document to = add(target, from.model, from.modelDigest);
            to.checkpoints.put(segment, new Kept(stored, kept.tokens(), kept.bytes(), CheckpointRecord.digest(stored)));
            to.segment = segment;
            to.tokens = kept.tokens();
            to.bytes = kept.bytes();
            to.version = 1;
            to.storedBytes = stored.length;
            to.expiresAt = clock.instant().plus(policy.ttl());
            tenants.get(target.tenant()).count(to);
            totalBytes += stored.length;
            evictFor(target);
            return to.head();
        }));
    }

    @Override
    public Mono<DocumentPage> list(String tenant, String cursor, int limit) {
        return Mono.fromCallable(() -> locked(() -> {
            DocumentKey.requireTenant(tenant);
            if (limit < 1) {
                throw new IllegalArgumentException("list limit must be at least 1, was " + limit);
            }
            String after = cursor == null ? null : decodeCursor(cursor);
            Tenant own = tenants.get(tenant);
            if (own == null) {
                return new DocumentPage(List.of(), null);
            }
            Instant now = clock.instant();
            NavigableMap<String, Document> rest = after == null ? own.byId : own.byId.tailMap(after, false);
            List<DocumentSummary> page = new ArrayList<>(Math.min(limit, 256));
            boolean more = false;
            for (Iterator<Document> it = rest.values().iterator(); it.hasNext(); ) {
                Document document = it.next();
                if (document.expired(now)) {
                    it.remove();
                    own.uncount(document);
                    dropFromLru(document);
                    continue;
                }
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(new DocumentSummary(document.key.document(), document.segment,
                        document.storedBytes, document.expiresAt));
            }
            if (own.byId.isEmpty()) {
                tenants.remove(tenant);
            }
            String next = more ? encodeCursor(page.get(page.size() - 1).document()) : null;
            return new DocumentPage(page, next);
        }));
    }

    @Override
    public Mono<Boolean> delete(DocumentKey key) {
        return Mono.fromCallable(() -> locked(() -> {
            Document document = live(key);
            if (document == null) {
                return false;
            }
            remove(document);
            return true;
        }));
    }

    @Override
    public Mono<Boolean> delete(DocumentKey key, String headDigest) {
        Objects.requireNonNull(headDigest, "headDigest");
        return Mono.fromCallable(() -> locked(() -> {
            Document document = live(key);
            if (document == null) {
                return false;
            }
            if (!document.checkpoints.get(document.segment).digest().equals(headDigest)) {
                throw new HeadMismatchException(key, headDigest, document.head());
            }
            remove(document);
            return true;
        }));
    }

    // ---- internals; every method below runs under the lock ----

    /** The document if present and not expired (an expired one is dropped); marks it used. */
    private Document live(DocumentKey key) {
        Document document = documents.get(key);
        if (document != null && document.expired(clock.instant())) {
            remove(document);
            return null;
        }
        return document;
    }

    private Document existing(DocumentKey key) {
        Document document = live(key);
        if (document == null) {
            throw new DocumentNotFoundException(key);
        }
        return document;
    }

    /** Refuses a write that takes a document from {@code before} to {@code after} stored bytes. */
    private void admit(DocumentKey key, long before, long after) {
        if (policy.hasQuota()) {
            long used = tenantBytes(key.tenant());
            if (policy.refuses(used - before, before, after)) {
                throw new QuotaExceededException(key.tenant(), used, after - before, policy.tenantQuotaBytes());
            }
        }
        if (after > maxBytes) {
            throw new StoreFullException(key, after, maxBytes);
        }
    }

    /**
     * The tenant's live stored bytes: its counter, after dropping the documents whose expiry has
     * passed (the soonest to expire come first, so this looks at no live document).
     */
    private long tenantBytes(String tenant) {
        Tenant own = tenants.get(tenant);
        if (own == null) {
            return 0;
        }
        Instant now = clock.instant();
        while (!own.byExpiry.isEmpty() && own.byExpiry.first().expired(now)) {
            remove(own.byExpiry.first());
        }
        return own.storedBytes;
    }

    private Document add(DocumentKey key, String model, String modelDigest) {
        Document document = new Document(key, model, modelDigest);
        documents.put(key, document);
        tenants.computeIfAbsent(key.tenant(), t -> new Tenant()).byId.put(key.document(), document);
        return document;
    }

    private void remove(Document document) {
        dropFromLru(document);
        Tenant own = tenants.get(document.key.tenant());
        if (own != null && own.byId.remove(document.key.document(), document)) {
            own.uncount(document);
            if (own.byId.isEmpty()) {
                tenants.remove(document.key.tenant());
            }
        }
    }

    private void dropFromLru(Document document) {
        if (documents.remove(document.key, document)) {
            totalBytes -= document.storedBytes;
        }
    }

    /**
     * Brings the store back within its capacity after a write to {@code keep}: first drops
     * expired documents, then evicts the least recently used ones other than {@code keep}.
     */
    private void evictFor(DocumentKey keep) {
        if (totalBytes <= maxBytes) {
            return;
        }
        Instant now = clock.instant();
        for (Document document : List.copyOf(documents.values())) {
            if (document.expired(now)) {
                remove(document);
            }
        }
        int evicted = 0;
        Iterator<Document> eldest = List.copyOf(documents.values()).iterator();
        while (totalBytes > maxBytes && eldest.hasNext()) {
            Document document = eldest.next();
            if (!document.key.equals(keep)) {
                remove(document);
                evicted++;
            }
        }
        if (evicted > 0) {
            log.debug("evicted {} least recently used document(s) to stay within {} bytes", evicted, maxBytes);
        }
    }

    private <T> T locked(Supplier<T> step) {
        lock.lock();
        try {
            return step.get();
        } finally {
            lock.unlock();
        }
    }

    private static String encodeCursor(String document) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(document.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            String document = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            new DocumentKey("cursor", document);
            return document;
        } catch (IllegalArgumentException | InvalidIdException e) {
            throw new InvalidCursorException(cursor);
        }
    }

    /** One kept checkpoint: the stored bytes and the metadata a fork carries over. */
    private record Kept(byte[] stored, long tokens, long bytes, String digest) {
    }

    /**
     * One tenant's documents: by id for paged listing, by expiry so that expired ones leave the
     * count without a walk over the others, and the sum of their stored bytes, kept as documents
     * are written, forked, evicted and removed, so a quota check is O(log documents).
     */
    private static final class Tenant {

        final TreeMap<String, Document> byId = new TreeMap<>();
        final TreeSet<Document> byExpiry = new TreeSet<>(
                Comparator.comparing((Document d) -> d.expiresAt).thenComparing(d -> d.key.document()));
        long storedBytes;

        /** Counts the document at its current size and expiry; it must not be counted yet. */
        void count(Document document) {
            byExpiry.add(document);
            storedBytes += document.storedBytes;
        }

        /** Stops counting the document (before its size or expiry change, or when it goes). */
        void uncount(Document document) {
            if (document.expiresAt != null && byExpiry.remove(document)) {
                storedBytes -= document.storedBytes;
            }
        }
    }

    /** A document's mutable state, guarded by the store's lock. */
    private static final class Document {

        final DocumentKey key;
        final String model;
        final String modelDigest;
        final TreeMap<Long, Kept> checkpoints = new TreeMap<>();
        long segment;
        long tokens;
        long bytes;
        long version;
        long storedBytes;
        Instant expiresAt;

        Document(DocumentKey key, String model, String modelDigest) {
            this.key = key;
            this.model = model;
            this.modelDigest = modelDigest;
        }

        boolean expired(Instant now) {
            return !now.isBefore(expiresAt);
        }

        Head head() {
            return new Head(segment, tokens, model, modelDigest, bytes, storedBytes, version,
                    checkpoints.firstKey());
        }
    }
}
