package io.baton.inference.generation;

import io.baton.inference.admission.Admission;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.InvalidSegmentException;
import io.baton.inference.models.InvalidSegmentException.Reason;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.runtime.OnnxScheduler;
import io.baton.inference.segments.ModelLookup;
import io.baton.inference.state.Checkpoints;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Generation from a stored checkpoint. The prompt runs as one segment from checkpoint n's state,
 * then each new token is fed back as a one-token segment; every step is its own task on the ONNX
 * runner scheduler, so long generations interleave with segment work. The state stays in memory:
 * nothing is written to the memory service, and the document's head does not move.
 *
 * <p>At most so many generations run at once ({@link Admission}); each holds its place from the
 * request until its last token or its cancellation, and one more is refused {@code service-busy}.
 */
public final class GenerationService {

    private final ModelLookup models;
    private final MemoryClient memory;
    private final OnnxScheduler runner;
    private final int maxTokens;
    private final int maxPromptTokens;
    private final Admission admission;
    private final GenerationMetrics metrics;

    /**
     * @param maxTokens       the most new tokens one request may ask for
     * @param maxPromptTokens the longest prompt: it runs through the model as one segment does, so
     *                        it has a segment's bound ({@code baton.segments.max-tokens})
     * @param admission       the bound on generations in flight
     */
    public GenerationService(ModelLookup models, MemoryClient memory, OnnxScheduler runner, int maxTokens,
                             int maxPromptTokens, Admission admission, MeterRegistry registry) {
        this.admission = admission;
        this.metrics = new GenerationMetrics(registry);
        this.models = models;
        this.memory = memory;
        this.runner = runner;
        this.maxTokens = maxTokens;
        this.maxPromptTokens = maxPromptTokens;
    }

    /**
     * Loads the checkpoint (the request's segment, or the document's head), runs the prompt and
     * picks the first new token; then the stream of all new tokens, ending at maxTokens or after
     * a stop token. Failures before the first token fail the Mono (a problem response); the
     * stream stops stepping as soon as its subscriber cancels. The caller subscribes to the
     * tokens it is handed: the generation's place ({@link Admission}) is given back when they end.
     */
    public Mono<Generation> generate(String tenant, GenerateRequest request) {
        return Mono.defer(() -> {
            SegmentModel model = models.model(request.model());
            validate(model, request);
            Admission.Permit permit = admission.enter();
            long started = System.nanoTime();
            AtomicLong produced = new AtomicLong();
            return start(tenant, request, model)
                    .doOnNext(first -> metrics.firstToken(model.id(), started))
                    .map(generation -> new Generation(generation.fromSegment(),
                            generation.tokens().doOnNext(token -> produced.incrementAndGet())
                                    .doOnComplete(() -> metrics.finished(model.id(), started, request.prompt().length,
                                            produced.get(), null))
                                    .doOnError(e -> metrics.finished(model.id(), started, request.prompt().length,
                                            produced.get(), e))
                                    .doFinally(signal -> permit.release())))
                    .doOnError(e -> {
                        permit.release();
                        metrics.finished(model.id(), started, request.prompt().length, 0, e);
                    })
                    .doOnCancel(permit::release);
        });
    }

    /** Loads the checkpoint, runs the prompt and picks the first token; then the stream of the rest. */
    private Mono<Generation> start(String tenant, GenerateRequest request, SegmentModel model) {
        Sampler sampler = new Sampler(request.temperature(), request.topP(), request.seed());
        return startSegment(tenant, request).flatMap(segment -> memory.checkpoint(tenant, request.document(), segment)
                .switchIfEmpty(Mono.error(() -> new CheckpointNotFoundException("checkpoint " + segment
                        + " of document " + request.document() + " is not stored")))
                .map(bytes -> Checkpoints.decode(model, bytes))
                .flatMap(state -> runner.run(() -> step(model, sampler, 0, request.prompt(), state)))
                .map(first -> new Generation(segment, Flux.just(first)
                        .expand(step -> step.token.index() + 1 >= request.maxTokens()
                                || request.stop().contains(step.token.token())
                                ? Mono.empty()
                                : runner.run(() -> step(model, sampler, step.token.index() + 1,
                                        new long[] {step.token.token()}, step.state)))
                        .map(step -> step.token))));
    }

    /** A started generation: the checkpoint it started from and its tokens. */
    public record Generation(long fromSegment, Flux<GeneratedToken> tokens) {
    }

    private Mono<Long> startSegment(String tenant, GenerateRequest request) {
        if (request.segment() != null) {
            return Mono.just(request.segment());
        }
        return memory.head(tenant, request.document()).map(head -> head.segment())
                .switchIfEmpty(Mono.error(() -> new CheckpointNotFoundException(
                        "document " + request.document() + " has no stored state to generate from")));
    }

    /** Runs {@code tokens} from {@code state} and picks the token after them. */
    private static Step step(SegmentModel model, Sampler sampler, int index, long[] tokens, DocumentState state) {
        SegmentOutput out = model.run(tokens, state);
        int vocab = Math.toIntExact(out.logits().shape()[2]);
        int last = (tokens.length - 1) * vocab;
        return new Step(sampler.pick(index, out.logits().values(), last, vocab), out.next());
    }

    private void validate(SegmentModel model, GenerateRequest request) {
        if (request.prompt().length == 0) {
            throw new InvalidSegmentException(Reason.EMPTY_SEGMENT,
                    "the prompt needs at least one token (the logits after a stored checkpoint are not kept)");
        }
        if (request.prompt().length > maxPromptTokens) {
            throw new InvalidSegmentException(Reason.SEGMENT_TOO_LONG, "the prompt has " + request.prompt().length
                    + " tokens; at most " + maxPromptTokens + " are accepted (a prompt runs as one segment does: "
                    + "baton.segments.max-tokens)", (long) maxPromptTokens);
        }
        model.validate(request.prompt());
        if (request.maxTokens() > maxTokens) {
            throw new InvalidSegmentException(Reason.SEGMENT_TOO_LONG, "maxTokens " + request.maxTokens()
                    + " is over the limit of " + maxTokens + " (baton.generation.max-tokens)", (long) maxTokens);
        }
        request.stop().forEach(id -> model.validate(new long[] {id}));
    }

    private record Step(GeneratedToken token, DocumentState state) {
    }
}
