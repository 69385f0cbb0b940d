package io.baton.standalone;

import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.encoding.StateEncoding;
import io.baton.memory.store.CheckpointNotFoundException;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.baton.memory.store.Head;
import io.baton.memory.store.HeadMismatchException;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ServiceCallException;
import io.baton.protocol.memory.KeptCheckpoint;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.memory.StoredHead;
import io.baton.protocol.memory.Written;
import java.time.Duration;
import java.util.function.BiConsumer;
import reactor.core.publisher.Mono;

/**
 * The {@link MemoryClient} of inference and of the gateway served by the memory code in the same
 * JVM: the same checks, encoding and compare-and-set as over HTTP ({@link CheckpointService}),
 * without the network. A refusal reaches the caller as the {@link ServiceCallException} of the
 * same problem type (and extra members) the HTTP adapter reads off the memory service's answer;
 * a document or checkpoint that is not there is an empty answer, as a 404 is over HTTP.
 */
public final class InProcessMemoryClient implements MemoryClient {

    private final CheckpointService checkpoints;
    private final BiConsumer<String, String> deleted;

    public InProcessMemoryClient(CheckpointService checkpoints) {
        this(checkpoints, (tenant, document) -> {
        });
    }

    /**
     * A client that, once a document is deleted, tells {@code deleted} (tenant, document): in one
     * JVM the inference code's {@code StateCache} forgets the document's state at once.
     */
    public InProcessMemoryClient(CheckpointService checkpoints, BiConsumer<String, String> deleted) {
        this.checkpoints = checkpoints;
        this.deleted = deleted;
    }

    @Override
    public Mono<byte[]> checkpoint(String tenant, String document, long segment) {
        return Mono.defer(() -> checkpoints.read(new DocumentKey(tenant, document), segment))
                .map(StateEncoding.Decoded::bytes)
                .onErrorResume(e -> e instanceof DocumentNotFoundException || e instanceof CheckpointNotFoundException,
                        e -> Mono.empty())
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Mono<KeptCheckpoint> kept(String tenant, String document, long segment) {
        return Mono.defer(() -> checkpoints.stored(new DocumentKey(tenant, document), segment))
                .flatMap(stored -> checkpoints.decode(stored).zipWith(checkpoints.digest(stored),
                        (decoded, digest) -> new KeptCheckpoint(decoded.bytes(), digest)))
                .onErrorResume(e -> e instanceof DocumentNotFoundException || e instanceof CheckpointNotFoundException,
                        e -> Mono.empty())
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Mono<StoredHead> head(String tenant, String document) {
        return Mono.defer(() -> checkpoints.head(new DocumentKey(tenant, document))).map(InProcessMemoryClient::head)
                .onErrorResume(DocumentNotFoundException.class, e -> Mono.empty())
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Mono<Written> put(String tenant, String document, long segment, byte[] container, String parentDigest,
                             Duration parentWait) {
        return Mono.defer(() -> checkpoints.write(new DocumentKey(tenant, document), segment, container, parentDigest,
                        parentWait))
                .map(result -> new Written(head(result.head()), checkpoints.exact() ? result.digest() : null,
                        result.digest()))
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Mono<Boolean> delete(String tenant, String document) {
        return Mono.defer(() -> checkpoints.delete(new DocumentKey(tenant, document)))
                .doOnSuccess(gone -> deleted.accept(tenant, document))
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    @Override
    public Mono<Boolean> delete(String tenant, String document, String headDigest) {
        return Mono.defer(() -> checkpoints.delete(new DocumentKey(tenant, document), headDigest))
                .onErrorResume(HeadMismatchException.class, e -> Mono.just(false))
                .onErrorMap(BatonException.class, ServiceCallException::of);
    }

    private static StoredHead head(Head head) {
        return new StoredHead(head.segment(), head.tokens(), head.model(), head.modelDigest(), head.version());
    }
}
