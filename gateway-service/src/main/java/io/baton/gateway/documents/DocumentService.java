package io.baton.gateway.documents;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.InvalidRequestException;
import io.baton.protocol.inference.InferenceClient;
import io.baton.gateway.pipeline.DocumentConflictException;
import io.baton.gateway.pipeline.DocumentJob;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.segmenting.InputText;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.GeneratedText;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.common.state.StateCodec;
import io.baton.protocol.CheckpointMetadata;
import io.baton.protocol.memory.KeptCheckpoint;
import io.baton.protocol.memory.MemoryClient;
import io.baton.protocol.memory.StoredHead;
import io.baton.protocol.memory.Written;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The documents API's work. Every write checks its text first ({@link InputText}) and its
 * document's state (exists or not) before anything is stored, and holds the document's lease
 * ({@link DocumentLeases}) while it runs.
 *
 * <ul>
 *   <li><b>Ingest</b> writes segments 0.. of a new document. When it fails or is cancelled part
 *       way, it deletes what it stored, so an ingest is all or nothing; but only on condition
 *       that the document's head checkpoint is the last one this ingest stored (its digest as
 *       inference reported it) or descends from it, checked by the memory service in the same
 *       step as the delete (on condition of the head's own digest).
 *       So a failed ingest never deletes a document another writer owns (an ingest of the same
 *       id through another gateway, a document deleted and written again meanwhile); an ingest
 *       that stored nothing deletes nothing. Segments stored after the last answer it got (in
 *       flight when it ended, pipelined) are its own too when the head descends from its last
 *       checkpoint: {@link #deleteOwn}.
 *   <li><b>Append</b> segments its text on its own and writes it as segments head+1.., from the
 *       head's state, so the context carries on. It does not resume over segments another writer
 *       stored ({@code document-conflict}). When it fails or is cancelled part way (inference
 *       unreachable, the client gone), the document keeps the segments stored so far: its head is
 *       always a whole segment, never half of one.
 *   <li><b>Generate</b> runs a prompt from the head's checkpoint, pinned when the request comes,
 *       and streams the tokens, decoded as they come ({@link GeneratedText}); nothing is stored.
 *       The prompt is tokenised on the bounded-elastic scheduler, never on the event loop that
 *       delivered the head.
 * </ul>
 */
public final class DocumentService {

    private static final Logger log = LoggerFactory.getLogger(DocumentService.class);
    /** Heads followed by a discard whose head moves on while it deletes (segments still landing). */
    private static final int DISCARD_ATTEMPTS = 4;
    /** Kept checkpoints read down from the head to find the discarding write's last one. */
    private static final int DISCARD_WALK = 8;

    private final DocumentPipeline pipeline;
    private final ModelTokenizers tokenizers;
    private final InferenceClient inference;
    private final MemoryClient memory;
    private final DocumentLeases leases;
    private final int maxTokens;
    private final Cut cut;

    public DocumentService(DocumentPipeline pipeline, ModelTokenizers tokenizers, InferenceClient inference,
                           MemoryClient memory, DocumentLeases leases, GatewayProperties properties) {
        this.pipeline = pipeline;
        this.tokenizers = tokenizers;
        this.inference = inference;
        this.memory = memory;
        this.leases = leases;
        this.maxTokens = properties.segmenting().maxTokens();
        this.cut = Cut.named(properties.segmenting().cut());
    }

    /** The leases of this gateway's documents. */
    public DocumentLeases leases() {
        return leases;
    }

    /** Ingests a new document; fails with {@link DocumentExistsException} when the id is taken. */
    public Mono<DocumentWrite> ingest(String tenant, IngestRequest request) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            InputText.check(request.text());
            String model = tokenizers.resolve(request.model());
            String id = request.id() == null ? DocumentIds.fresh() : request.id();
            AtomicReference<String> lastStored = new AtomicReference<>();
            Mono<DocumentWrite> write = Mono.usingWhen(Mono.just(id),
                    document -> write(tenant, document, model, request.text(), null, started, lastStored::set),
                    document -> Mono.empty(),
                    (document, error) -> error instanceof DocumentConflictException ? Mono.empty()
                            : discard(tenant, document, lastStored.get(), "failed: " + error.getMessage()),
                    document -> discard(tenant, document, lastStored.get(), "was cancelled"));
            return leases.hold(tenant, id, head(tenant, id)
                    .flatMap(head -> Mono.<DocumentWrite>error(new DocumentExistsException(id)))
                    .switchIfEmpty(write));
        });
    }

    /** Appends to a document; fails with {@link DocumentNotFoundException} when there is none. */
    public Mono<DocumentWrite> append(String tenant, String id, AppendRequest request) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            InputText.check(request.text());
            return leases.hold(tenant, id, existing(tenant, id)
                    .flatMap(head -> write(tenant, id, head.model(), request.text(), head, started, digest -> { })));
        });
    }

    /** The document as stored. */
    public Mono<DocumentView> get(String tenant, String id) {
        return existing(tenant, id).flatMap(head -> view(tenant, id, head));
    }

    /** Deletes the document; refused while a write holds it. */
    public Mono<Void> delete(String tenant, String id) {
        return Mono.defer(() -> {
            if (!DocumentIds.valid(id)) {
                return Mono.error(new DocumentNotFoundException(id));
            }
            return leases.hold(tenant, id, memory.delete(tenant, id)
                    .flatMap(deleted -> deleted ? Mono.<Void>empty() : Mono.error(new DocumentNotFoundException(id))));
        });
    }

    /**
     * Generates from the document's head: a {@code token} per new token, then {@code done}. A
     * failure before the first token (no document, a bad prompt) fails the flux before anything
     * is emitted.
     */
    public Flux<GenerationEvent> generate(String tenant, String id, PromptRequest request) {
        return existing(tenant, id).flatMapMany(head -> {
            TextTokenizer tokenizer = tokenizers.tokenizer(head.model());
            return Mono.fromCallable(() -> tokenizer.encode(request.prompt()).ids())
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMapMany(prompt -> generate(tenant, id, head, tokenizer, prompt, request));
        });
    }

    private Flux<GenerationEvent> generate(String tenant, String id, StoredHead head, TextTokenizer tokenizer,
                                           long[] prompt, PromptRequest request) {
        if (prompt.length == 0) {
            return Flux.error(new InvalidRequestException("the prompt has no tokens; give at least one"));
        }
        GenerateRequest generate = new GenerateRequest(id, head.segment(), head.model(), prompt, request.maxTokens(),
                request.temperature(), request.topP(), request.seed(), null);
        GeneratedText decoder = tokenizer.generatedText();
        return inference.generate(tenant, generate)
                .map(token -> (GenerationEvent) new GenerationEvent.Token(token.index(), token.token(),
                        decoder.add(token.token()), token.logprob()))
                .concatWith(Mono.fromSupplier(() -> {
                    List<Long> tokens = decoder.tokens();
                    return new GenerationEvent.Done(id, head.segment(), tokens, decoder.text(),
                            tokens.size() < request.maxTokens() ? "stop" : "length");
                }));
    }

    /**
     * Writes the text's segments from the document's head on; {@code stored} is told the digest of
     * each checkpoint stored (null when inference does not say), in order.
     */
    private Mono<DocumentWrite> write(String tenant, String id, String model, String text, StoredHead head,
                                      long started, Consumer<String> stored) {
        long firstSegment = head == null ? 0 : head.segment() + 1;
        long tokensBefore = head == null ? 0 : head.tokens();
        Segmenter segmenter = new Segmenter(tokenizers.tokenizer(model), maxTokens, cut);
        DocumentJob job = new DocumentJob(tenant, id, model,
                () -> shifted(segmenter.segments(text), firstSegment, tokensBefore), text.length(),
                DocumentJob.OnStored.CONFLICT);
        return pipeline.run(job)
                .doOnNext(result -> {
                    if (!result.skipped()) {
                        stored.accept(result.response().digest());
                    }
                })
                .map(result -> {
                    Segment s = result.segment();
                    return new DocumentWrite.Written(s.index(), s.chars().start(), s.chars().end(), s.tokenOffset(),
                            s.size());
                })
                .collectList()
                .flatMap(written -> existing(tenant, id).flatMap(after -> view(tenant, id, after)).map(view -> {
                    long tokens = written.stream().mapToLong(DocumentWrite.Written::tokens).sum();
                    long ms = (System.nanoTime() - started) / 1_000_000;
                    return new DocumentWrite(view, written, new DocumentWrite.Stats(tokens, written.size(), ms,
                            ms > 0 ? tokens * 1000.0 / ms : 0));
                }));
    }

    /** The segments of an appended text, numbered on from the document's head. */
    private static Iterator<Segment> shifted(Iterator<Segment> segments, long firstSegment, long tokensBefore) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return segments.hasNext();
            }

            @Override
            public Segment next() {
                Segment s = segments.next();
                return new Segment(s.index() + firstSegment, s.tokenOffset() + tokensBefore, s.tokens(), s.sentences(),
                        s.chars());
            }
        };
    }

    /**
     * Deletes the document on condition that its head is {@code ownDigest}, or else a checkpoint stored
     * on top of it: with segments pipelined, those of an ingest still in flight when it failed or was
     * cancelled may store after it ended, their answers lost, so the head moves past the last digest the
     * ingest was told. Each checkpoint names its parent's stored digest, so the kept checkpoints from the
     * head down show whether the head descends from {@code ownDigest}; if so the delete is tried again on
     * condition of that head (followed a few times, for a head that moves on meanwhile). A head that does
     * not descend from it (another writer's document under the same id) is left alone.
     */
    private Mono<Boolean> deleteOwn(String tenant, String id, String ownDigest, int attempts) {
        return memory.delete(tenant, id, ownDigest).flatMap(deleted -> deleted || attempts == 0 ? Mono.just(deleted)
                : headAbove(tenant, id, ownDigest).flatMap(head -> deleteOwn(tenant, id, head, attempts - 1))
                        .defaultIfEmpty(false));
    }

    /** The head's stored digest when the head was stored on top of the checkpoint {@code ancestor}; else empty. */
    private Mono<String> headAbove(String tenant, String id, String ancestor) {
        return head(tenant, id).flatMap(head -> memory.kept(tenant, id, head.segment())
                .flatMap(top -> down(tenant, id, head.segment(), top, top.digest(), ancestor, DISCARD_WALK)));
    }

    private Mono<String> down(String tenant, String id, long segment, KeptCheckpoint kept, String headDigest,
                              String ancestor, int steps) {
        String parent = StateCodec.read(ByteBuffer.wrap(kept.container())).metadata(CheckpointMetadata.PARENT_DIGEST)
                .orElse("");
        if (parent.equals(ancestor)) {
            return Mono.just(headDigest);
        }
        if (parent.isEmpty() || segment == 0 || steps == 0) {
            return Mono.empty();
        }
        return memory.kept(tenant, id, segment - 1).filter(below -> parent.equals(below.digest()))
                .flatMap(below -> down(tenant, id, segment - 1, below, headDigest, ancestor, steps - 1));
    }

    private Mono<DocumentView> view(String tenant, String id, StoredHead head) {
        return memory.checkpoint(tenant, id, head.segment())
                .publishOn(Schedulers.boundedElastic())
                .map(StateDigest::of)
                .map(digest -> new DocumentView(id, head.model(), head.modelDigest(), head.segment(), head.segment() + 1,
                        head.tokens(), head.version(), digest))
                .defaultIfEmpty(new DocumentView(id, head.model(), head.modelDigest(), head.segment(),
                        head.segment() + 1, head.tokens(), head.version(), null));
    }

    private Mono<StoredHead> head(String tenant, String id) {
        return memory.head(tenant, id);
    }

    private Mono<StoredHead> existing(String tenant, String id) {
        return Mono.defer(() -> DocumentIds.valid(id) ? head(tenant, id) : Mono.<StoredHead>empty())
                .switchIfEmpty(Mono.error(() -> new DocumentNotFoundException(id)));
    }

    /**
     * Deletes what a failed or cancelled ingest stored, if the document's head is still {@code
     * lastStored}, the last checkpoint it stored, or was stored on top of it by the ingest's own
     * segments still in flight when it ended ({@link #deleteOwn}); nothing when it stored none (or
     * inference did not name it), also after the request's deadline ended it. A failure to delete is
     * logged, not raised.
     */
    private Mono<Void> discard(String tenant, String id, String lastStored, String why) {
        if (lastStored == null) {
            log.debug("ingest of {} {}; it stored no checkpoint it can name, so it deletes nothing", id, why);
            return Mono.empty();
        }
        return Deadline.outliving(deleteOwn(tenant, id, lastStored, DISCARD_ATTEMPTS))
                .doOnNext(deleted -> log.debug("ingest of {} {}; deleted its segments: {} (false: the document "
                        + "is gone or another writer's)", id, why, deleted))
                .onErrorResume(e -> {
                    log.warn("ingest of {} {}; deleting its segments failed too: {}", id, why, e.getMessage());
                    return Mono.empty();
                })
                .then();
    }
}
