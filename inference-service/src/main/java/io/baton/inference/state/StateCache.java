package io.baton.inference.state;

import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state this instance last stored for each document, so the next segment of a document that
 * stays on this instance starts from it instead of reading checkpoint n-1 back from the memory
 * service. The copy is only a guess that nobody else changed the document: the next write names
 * the stored checkpoint's digest as its parent, and the memory service refuses it (nothing stored)
 * when the kept checkpoint n-1 is another one ({@link StaleParentException}).
 *
 * <p>Bounded by the bytes of the kept tensors; the least recently used documents leave first. A
 * bound of 0 keeps nothing. Thread-safe.
 */
public final class StateCache {

    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /** A kept state: after segment {@code segment} of the document, stored with {@code digest}. */
    public record Entry(String model, long segment, String digest, DocumentState state, long bytes) {
    }

    public StateCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("the state cache bound must not be negative, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The kept state after {@code segment} of the document for {@code model}, or null. */
    public Entry find(String tenant, String document, String model, long segment) {
        Entry entry;
        synchronized (this) {
            entry = entries.get(key(tenant, document));
        }
        boolean hit = entry != null && entry.segment() == segment && entry.model().equals(model);
        (hit ? hits : misses).incrementAndGet();
        return hit ? entry : null;
    }

    /** Keeps {@code state}, stored as checkpoint {@code segment} with {@code digest}, replacing the document's last. */
    public void keep(String tenant, String document, String model, long segment, String digest, DocumentState state) {
        long size = sizeOf(state);
        synchronized (this) {
            Entry old = entries.remove(key(tenant, document));
            if (old != null) {
                bytes -= old.bytes();
            }
            if (size > maxBytes) {
                return;
            }
            entries.put(key(tenant, document), new Entry(model, segment, digest, state, size));
            bytes += size;
            Iterator<Entry> eldest = entries.values().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                bytes -= eldest.next().bytes();
                eldest.remove();
            }
        }
    }

    /** Forgets the document's kept state. */
    public synchronized void forget(String tenant, String document) {
        Entry old = entries.remove(key(tenant, document));
        if (old != null) {
            bytes -= old.bytes();
        }
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
}
