package io.baton.inference.state;

import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The state this instance last stored for each document, so the next segment of a document that
 * stays on this instance starts from it instead of reading checkpoint n-1 back from the memory
 * service. The copy is only a guess that nobody else changed the document: the next write names
 * the stored checkpoint's digest as its parent, and the memory service refuses it (nothing stored)
 * when the kept checkpoint n-1 is another one ({@link StaleParentException}).
 *
 * <p>Bounded by the bytes of the kept tensors; the least recently used documents leave first. A
 * bound of 0 keeps nothing. A document's state also leaves once it has not been used for the idle
 * expiry: a document deleted through another process, or abandoned by its client, is never
 * announced here, and its state should not sit in the cache until it pushes out live documents'
 * (in one JVM the memory client's delete {@linkplain #forget forgets} it at once). Thread-safe.
 */
public final class StateCache {

    private final long maxBytes;
    private final long idleNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Slot> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /** A kept state: after segment {@code segment} of the document, stored with {@code digest}. */
    public record Entry(String model, long segment, String digest, DocumentState state, long bytes) {
    }

    /** A cache of at most {@code maxBytes} of tensors, each document's state leaving after {@code idleExpiry} unused. */
    public StateCache(long maxBytes, Duration idleExpiry) {
        this(maxBytes, idleExpiry, System::nanoTime);
    }

    /** As {@link #StateCache(long, Duration)}, on the monotonic {@code clock} (nanoseconds) given. */
    StateCache(long maxBytes, Duration idleExpiry, LongSupplier clock) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("the state cache bound must not be negative, got " + maxBytes);
        }
        if (idleExpiry.isNegative() || idleExpiry.isZero()) {
            throw new IllegalArgumentException("the state cache's idle expiry must be positive, got " + idleExpiry);
        }
        this.maxBytes = maxBytes;
        this.idleNanos = idleExpiry.toNanos();
        this.clock = clock;
    }

    /** The kept state after {@code segment} of the document for {@code model}, or null. */
    public Entry find(String tenant, String document, String model, long segment) {
        Entry entry = null;
        synchronized (this) {
            long now = clock.getAsLong();
            expire(now);
            Slot slot = entries.get(key(tenant, document));
            if (slot != null) {
                slot.usedAt = now;
                entry = slot.entry;
            }
        }
        boolean hit = entry != null && entry.segment() == segment && entry.model().equals(model);
        (hit ? hits : misses).incrementAndGet();
        return hit ? entry : null;
    }

    /** Keeps {@code state}, stored as checkpoint {@code segment} with {@code digest}, replacing the document's last. */
    public void keep(String tenant, String document, String model, long segment, String digest, DocumentState state) {
        long size = sizeOf(state);
        synchronized (this) {
            long now = clock.getAsLong();
            expire(now);
            remove(key(tenant, document));
            if (size > maxBytes) {
                return;
            }
            entries.put(key(tenant, document), new Slot(new Entry(model, segment, digest, state, size), now));
            bytes += size;
            Iterator<Slot> eldest = entries.values().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                bytes -= eldest.next().entry.bytes();
                eldest.remove();
            }
        }
    }

    /** Forgets the document's kept state (a failed segment, a deleted document). */
    public synchronized void forget(String tenant, String document) {
        remove(key(tenant, document));
    }

    /** Drops every state unused for the idle expiry; lookups do this as they go, a periodic sweep when none come. */
    public synchronized void expire() {
        expire(clock.getAsLong());
    }

    /** Lookups that found the state they asked for. */
    public long hits() {
        return hits.get();
    }

    /** Lookups that found nothing or another segment's state. */
    public long misses() {
        return misses.get();
    }

    /** Bytes of the kept tensors. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Documents whose state is kept. */
    public synchronized int size() {
        return entries.size();
    }

    /** In access order the least recently used come first, so the sweep stops at the first one still in use. */
    private void expire(long now) {
        Iterator<Slot> eldest = entries.values().iterator();
        while (eldest.hasNext()) {
            Slot slot = eldest.next();
            if (now - slot.usedAt < idleNanos) {
                return;
            }
            bytes -= slot.entry.bytes();
            eldest.remove();
        }
    }

    private void remove(String key) {
        Slot old = entries.remove(key);
        if (old != null) {
            bytes -= old.entry.bytes();
        }
    }

    private static String key(String tenant, String document) {
        return tenant + '\u0000' + document;
    }

    private static long sizeOf(DocumentState state) {
        long size = 0;
        for (Map.Entry<String, FloatTensor> tensor : state.tensors().entrySet()) {
            size += 4L * tensor.getValue().values().length;
        }
        return size;
    }

    /** A kept state and when it was last stored or looked up (guarded by the cache). */
    private static final class Slot {
        final Entry entry;
        long usedAt;

        Slot(Entry entry, long usedAt) {
            this.entry = entry;
            this.usedAt = usedAt;
        }
    }
}
