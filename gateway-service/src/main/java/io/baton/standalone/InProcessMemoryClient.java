package io.baton.standalone;

import io.baton.inference.state.MemoryClient;
import io.baton.inference.state.SegmentOrderException;
import io.baton.inference.state.StaleParentException;
import io.baton.inference.state.StateMismatchException;
import io.baton.inference.state.StoredHead;
import io.baton.inference.state.Written;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.encoding.StateEncoding;
import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.CheckpointNotFoundException;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.baton.memory.store.Head;
import io.baton.memory.store.ModelMismatchException;
import io.baton.memory.store.ParentMismatchException;
import reactor.core.publisher.Mono;

/**
 * Inference's {@link MemoryClient} served by the memory code in the same JVM: the same checks,
 * encoding and compare-and-set as over HTTP ({@link CheckpointService}), without the network.
 * The memory service's answers map onto the client's contract exactly as {@code
 * HttpMemoryClient} maps their HTTP forms.
 */
public final class InProcessMemoryClient implements MemoryClient {

    private final CheckpointService checkpoints;

    public InProcessMemoryClient(CheckpointService checkpoints) {
        this.checkpoints = checkpoints;
    }

    @Override
    public Mono<byte[]> checkpoint(String tenant, String document, long segment) {
        return checkpoints.read(new DocumentKey(tenant, document), segment)
                .map(StateEncoding.Decoded::bytes)
                .onErrorResume(e -> e instanceof DocumentNotFoundException || e instanceof CheckpointNotFoundException,
                        e -> Mono.empty());
    }

    @Override
    public Mono<StoredHead> head(String tenant, String document) {
        return checkpoints.head(new DocumentKey(tenant, document)).map(InProcessMemoryClient::head)
                .onErrorResume(DocumentNotFoundException.class, e -> Mono.empty());
    }

    @Override
    public Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest) {
        return checkpoints.write(new DocumentKey(tenant, document), segment, container, parentDigest)
                .map(result -> new Written(head(result.head()), checkpoints.exact() ? result.digest() : null))
                .onErrorMap(CheckpointConflictException.class,
                        e -> SegmentOrderException.conflict(document, segment, e.expected()))
                .onErrorMap(ModelMismatchException.class, e -> new StateMismatchException(e.getMessage()))
                .onErrorMap(ParentMismatchException.class, e -> new StaleParentException(e.getMessage()));
    }

    @Override
    public Mono<Boolean> delete(String tenant, String document) {
        return checkpoints.delete(new DocumentKey(tenant, document));
    }

    private static StoredHead head(Head head) {
        return new StoredHead(head.segment(), head.tokens(), head.model(), head.modelDigest(), head.version());
    }
}
