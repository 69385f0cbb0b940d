package io.baton.gateway.documents;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * One write at a time per document in this gateway: {@link #hold} runs its work only when no
 * other work holds the document's lease, and fails at once with {@link DocumentBusyException}
 * otherwise (no waiting: a second append would be applied after the first, which its sender did
 * not see, so it is refused instead). The lease is released when the work ends, fails or is
 * cancelled. Across gateway replicas the memory service's compare-and-set on segment indices is
 * what guards a document: the loser's next segment is refused ({@code document-conflict}).
 */
public final class DocumentLeases {

    private final Set<String> held = ConcurrentHashMap.newKeySet();

    /** {@code work} under the lease of {@code tenant}'s {@code document}. */
    public <T> Mono<T> hold(String tenant, String document, Mono<T> work) {
        return Mono.defer(() -> {
            String key = key(tenant, document);
            if (!held.add(key)) {
                return Mono.error(new DocumentBusyException(document));
            }
            // Released before the answer travels on (not after, as doFinally would), so the client's
            // next request on the document finds it free; once, whichever signal comes first.
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    held.remove(key);
                }
            };
            return work.doOnTerminate(release).doOnCancel(release);
        });
    }

    /** Whether the document's lease is held now. */
    public boolean held(String tenant, String document) {
        return held.contains(key(tenant, document));
    }

    private static String key(String tenant, String document) {
        return tenant + '/' + document;
    }
}
