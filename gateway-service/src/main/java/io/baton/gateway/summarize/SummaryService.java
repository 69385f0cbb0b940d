package io.baton.gateway.summarize;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.InvalidRequestException;
import io.baton.protocol.inference.InferenceClient;
import io.baton.protocol.inference.Priority;
import io.baton.gateway.pipeline.DocumentJob;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.pipeline.SegmentRecorder;
import io.baton.gateway.pipeline.SegmentResult;
import io.baton.gateway.pipeline.StateLostException;
import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.segmenting.InputText;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.SentenceSplitter;
import io.baton.gateway.segmenting.TextTokenizer;
import io.baton.protocol.deadlines.Deadline;
import io.baton.protocol.inference.GenerateRequest;
import io.baton.protocol.inference.GeneratedToken;
import io.baton.protocol.memory.MemoryClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Summarizes a text: checks the request, runs the text through the {@link DocumentPipeline} under
 * a fresh document id ({@code summary-<uuid>}), then either gathers the sentence vectors and
 * picks sentences with {@link MmrSelector} (extractive) or generates from the document's final
 * state with a fixed prompt (abstractive). Emits progress after each segment and the summary
 * last; cancelling stops the run. The temporary document is deleted from the memory service when
 * the summary is done, has failed or was cancelled. When the store loses the temporary document's
 * state during the run ({@link StateLostException}), the summary starts over once on a new
 * document (its progress starts again from the first segment).
 *
 * <p>Gathering the sentence vectors, selection and the prompt's tokenisation run on Reactor's
 * bounded-elastic scheduler, never on the thread that delivered a segment's answer: in
 * distributed mode that is a Netty event loop, which other requests share. Selection keeps at
 * most {@code baton.summaries.max-candidates} sentences ({@link CandidatePool}).
 */
public final class SummaryService {

    private static final Logger log = LoggerFactory.getLogger(SummaryService.class);
    private static final Pattern WORD = Pattern.compile("\\S+");

    private final DocumentPipeline pipeline;
    private final ModelTokenizers tokenizers;
    private final InferenceClient inference;
    private final MemoryClient memory;
    private final GatewayProperties properties;
    private final Cut cut;
    private final LearnedSelectors selectors;
    private final MeterRegistry registry;
    private final Counter restarts;

    /** A service whose meters go nowhere (tests). */
    public SummaryService(DocumentPipeline pipeline, ModelTokenizers tokenizers, InferenceClient inference,
                          MemoryClient memory, GatewayProperties properties) {
        this(pipeline, tokenizers, inference, memory, properties, new SimpleMeterRegistry());
    }

    /**
     * @param registry where each summary's token usage goes: OpenTelemetry's GenAI client metric
     *                 {@code gen_ai.client.token.usage{gen_ai.operation.name=summarize,
     *                 gen_ai.request.model, gen_ai.token.type=input}} (tokens of the document sent
     *                 to inference, histogram), recorded when a summary is done
     */
    public SummaryService(DocumentPipeline pipeline, ModelTokenizers tokenizers, InferenceClient inference,
                          MemoryClient memory, GatewayProperties properties, MeterRegistry registry) {
        this.registry = registry;
        this.pipeline = pipeline;
        this.tokenizers = tokenizers;
        this.inference = inference;
        this.memory = memory;
        this.properties = properties;
        this.cut = Cut.named(properties.segmenting().cut());
        this.selectors = new LearnedSelectors(properties.models().dir(), properties.summaries().selector());
        this.restarts = Counter.builder("baton.summaries.restarts")
                .description("summaries started over on a new document after the store lost the state of the first")
                .register(registry);
    }

    private DistributionSummary tokenUsage(String model) {
        return DistributionSummary.builder("gen_ai.client.token.usage").tag("gen_ai.operation.name", "summarize")
                .tag("gen_ai.request.model", model).tag("gen_ai.token.type", "input")
                .description("tokens a summary sent to inference").serviceLevelObjectives(1, 4, 16, 64, 256, 1024,
                        4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
                .register(registry);
    }

    /** The summary of {@code request}'s text under {@code tenant}, with progress before it. */
    public Flux<SummaryEvent> summarize(String tenant, SummaryRequest request) {
        return Flux.defer(() -> {
            long started = System.nanoTime();
            check(request);
            String model = tokenizers.resolve(request.model());
            Flux<SummaryEvent> attempt = onTemporaryDocument("summary-", tenant,
                    document -> run(tenant, document, model, request, started));
            // The request holds the whole text, so a summary whose temporary document the store lost
            // (a Redis restart without persistence, a failover that lost acknowledged writes) starts
            // over once on a new document (each subscription takes a fresh id) rather than failing;
            // lost a second time, it fails.
            return attempt.onErrorResume(StateLostException.class, lost -> {
                log.warn("summary: {}; starting over on a new document", lost.getMessage());
                restarts.increment();
                return attempt;
            });
        });
    }

    /**
     * The summary of {@code request}'s text as document {@code document}, from where {@code journal}
     * left it: its recorded answers are replayed in place of their segments, each new answer is
     * recorded before the next segment is sent, and the run ends {@link SummaryEvent.Paused} when
     * the journal asks to pause. The document is not deleted here: it is the caller's to delete
     * when the summary is done. A batch job's request runs this way ({@code io.baton.gateway.jobs}),
     * its segments sent as {@link Priority#BATCH} work, which yields to interactive work at inference.
     */
    public Flux<SummaryEvent> resume(String tenant, String document, SummaryRequest request,
                                     SummaryJournal journal) {
        return Flux.defer(() -> {
            long started = System.nanoTime();
            check(request);
            String model = tokenizers.resolve(request.model());
            return run(tenant, document, model, request, started, journal);
        });
    }

    private Flux<SummaryEvent> run(String tenant, String document, String model, SummaryRequest request,
                                   long started) {
        return run(tenant, document, model, request, started, null);
    }

    private Flux<SummaryEvent> run(String tenant, String document, String model, SummaryRequest request,
                                   long started, SummaryJournal journal) {
        String text = request.text();
        boolean abstractive = SummaryRequest.ABSTRACTIVE.equals(request.mode());
        Segmenter segmenter = segmenter(model);
        SentenceTable table = abstractive ? null : table(text, model);
        long[] totals = new long[2];   // tokens, segments; written one segment at a time
        boolean[] paused = new boolean[1];
        DocumentJob job = journal == null
                ? new DocumentJob(tenant, document, model, () -> segmenter.segments(text), text.length())
                : new DocumentJob(tenant, document, model, () -> {
                    Iterator<Segment> all = segmenter.segments(text);
                    replay(journal.recorded(), all, abstractive ? null : table, totals, model);
                    return pausing(all, journal, paused);
                }, text.length(), DocumentJob.OnStored.ANSWER_NEEDED, Priority.BATCH,
                        SegmentRecorder.after(journal.recorded().size() - 1, result -> journal.record(
                                result.segment().index(), SegmentAnswers.encode(abstractive ? List.of()
                                        : result.response().sentenceVectors()))));
        Flux<SummaryEvent> progress = pipeline.run(job).publishOn(Schedulers.boundedElastic()).map(result -> {
            if (!abstractive) {
                gather(table, result, model);
            }
            totals[0] += result.segment().size();
            totals[1]++;
            return new SummaryEvent.Progress(result.progress());
        });
        Mono<SummaryResponse> summary = abstractive
                ? Mono.defer(() -> generated(tenant, document, model, request, totals[0], totals[1], started))
                : Mono.fromCallable(() -> summary(text, table, request, totals[0], totals[1], started))
                        .subscribeOn(Schedulers.boundedElastic());
        return progress.concatWith(Mono.defer(() -> paused[0]
                ? Mono.just(new SummaryEvent.Paused(totals[1]))
                : summary.doOnNext(done -> tokenUsage(model).record(done.stats().tokens())).map(SummaryEvent.Done::new)));
    }

    /**
     * What extractive selection knows of each sentence of {@code text} ({@link SentenceFeatures}, in
     * document order): the text runs through the pipeline as for a summary, under a temporary
     * document deleted afterwards, and nothing is picked. For training a sentence selector on
     * these features (issue 17); a text of more sentences than {@code baton.summaries.max-candidates}
     * fails ({@link CandidatePool#features}).
     */
    public Mono<List<SentenceFeatures>> features(String tenant, String text, String model) {
        return Mono.defer(() -> {
            InputText.check(text);
            String resolved = tokenizers.resolve(model);
            return onTemporaryDocument("features-", tenant, document -> {
                SentenceTable table = table(text, resolved);
                Segmenter segmenter = segmenter(resolved);
                DocumentJob job = new DocumentJob(tenant, document, resolved, () -> segmenter.segments(text),
                        text.length());
                return pipeline.run(job).publishOn(Schedulers.boundedElastic())
                        .doOnNext(result -> gather(table, result, resolved))
                        .then(Mono.fromCallable(() -> {
                            table.finish();
                            return table.pool().features();
                        }));
            }).single();
        });
    }

    /**
     * {@code work} on a fresh document id ({@code prefix} + a UUID, a new one for each subscription)
     * whose checkpoints are deleted however it ends.
     */
    private <T> Flux<T> onTemporaryDocument(String prefix, String tenant, Function<String, Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(() -> prefix + UUID.randomUUID()), work,
                document -> discard(tenant, document),
                (document, error) -> discard(tenant, document),
                document -> discard(tenant, document));
    }

    private Segmenter segmenter(String model) {
        return new Segmenter(tokenizers.tokenizer(model), properties.segmenting().maxTokens(), cut);
    }

    /**
     * An empty table over a pool with the configured bound and weights, and the learned relevance
     * of {@code model} (a resolved id) where the setting uses it.
     */
    private SentenceTable table(String text, String model) {
        GatewayProperties.Summaries settings = properties.summaries();
        return new SentenceTable(new CandidatePool(text, settings.maxCandidates(), settings.minWords(),
                new MmrSelector.Weights(settings.lambda(), settings.lexicalWeight(), settings.lengthWeight()),
                selectors.of(model)));
    }

    /** Feeds the answers a journal recorded, with their segments, to {@code table} (null: abstractive). */
    private static void replay(List<byte[]> recorded, Iterator<Segment> segments, SentenceTable table, long[] totals,
                               String model) {
        for (byte[] answer : recorded) {
            if (!segments.hasNext()) {
                throw new IllegalStateException("the journal holds " + recorded.size()
                        + " answers, more than the text has segments");
            }
            Segment segment = segments.next();
            if (table != null) {
                add(table, segment, SegmentAnswers.decode(answer), model);
            }
            totals[0] += segment.size();
            totals[1]++;
        }
    }

    /** {@code segments} until the journal asks to pause before one of them; then none, and {@code paused}. */
    private static Iterator<Segment> pausing(Iterator<Segment> segments, SummaryJournal journal, boolean[] paused) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (paused[0] || !segments.hasNext()) {
                    return false;
                }
                paused[0] = journal.pause();
                return !paused[0];
            }

            @Override
            public Segment next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return segments.next();
            }
        };
    }

    /**
     * The abstractive summary: the configured prompt run from the document's final state, then
     * greedy generation of up to tokens-per-word (or per sentence) times the requested count,
     * decoded, and cut after the requested number of words (or sentences).
     */
    private Mono<SummaryResponse> generated(String tenant, String document, String model, SummaryRequest request,
                                            long tokens, long segments, long started) {
        GatewayProperties.Abstractive settings = properties.summaries().abstractive();
        TextTokenizer tokenizer = tokenizers.tokenizer(model);
        int sentences = request.sentences() != null ? request.sentences() : properties.summaries().sentences();
        long budget = request.words() != null ? (long) request.words() * settings.tokensPerWord()
                : (long) sentences * settings.tokensPerSentence();
        int maxTokens = (int) Math.min(budget, settings.maxTokens());
        return Mono.fromCallable(() -> tokenizer.encode(settings.prompt()).ids())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(prompt -> inference.generate(tenant,
                                new GenerateRequest(document, null, model, prompt, maxTokens, 0.0, 1.0, 0L, null))
                        .map(GeneratedToken::token).collectList())
                .map(ids -> {
                    String output = tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray());
                    String cut = request.words() != null ? firstWords(output, request.words())
                            : firstSentences(output, sentences);
                    long ms = (System.nanoTime() - started) / 1_000_000;
                    return new SummaryResponse(cut, List.of(),
                            new SummaryResponse.Stats(tokens, segments, ms, ms > 0 ? tokens * 1000.0 / ms : 0));
                });
    }

    /** {@code text} without surrounding whitespace, cut after its {@code words}-th word. */
    static String firstWords(String text, int words) {
        String stripped = text.strip();
        Matcher word = WORD.matcher(stripped);
        int end = 0;
        for (int n = 0; n < words && word.find(); n++) {
            end = word.end();
        }
        return stripped.substring(0, end);
    }

    /** {@code text} without surrounding whitespace, cut after its {@code sentences}-th sentence. */
    static String firstSentences(String text, int sentences) {
        String stripped = text.strip();
        Iterator<io.baton.gateway.segmenting.Sentence> found = new SentenceSplitter().sentences(stripped);
        int end = 0;
        for (int n = 0; n < sentences && found.hasNext(); n++) {
            end = (int) found.next().span().end();
        }
        return stripped.substring(0, end).strip();
    }

    /**
     * Deletes the summary's temporary document, also after the request's deadline ended it; a
     * failure to do so is logged, never raised.
     */
    private Mono<Void> discard(String tenant, String document) {
        return Deadline.outliving(memory.delete(tenant, document))
                .onErrorResume(e -> {
                    log.warn("could not delete the checkpoints of summary document {}: {}", document, e.getMessage());
                    return Mono.empty();
                })
                .then();
    }

    private void check(SummaryRequest request) {
        InputText.check(request.text());
        if (!SummaryRequest.EXTRACTIVE.equals(request.mode()) && !SummaryRequest.ABSTRACTIVE.equals(request.mode())) {
            throw new InvalidRequestException("unknown mode '" + request.mode()
                    + "'; the modes are extractive and abstractive");
        }
        if (request.sentences() != null && request.words() != null) {
            throw new InvalidRequestException("give either sentences or words, not both");
        }
    }

    private static void gather(SentenceTable table, SegmentResult result, String model) {
        add(table, result.segment(), result.response().sentenceVectors(), model);
    }

    private static void add(SentenceTable table, Segment segment, List<float[]> vectors, String model) {
        if (vectors.size() != segment.sentences().size()) {
            throw new NoSentenceVectorsException(model);
        }
        table.add(segment, vectors);
    }

    /** The extractive summary: the pool's picks, in document order. */
    private SummaryResponse summary(String text, SentenceTable table, SummaryRequest request, long tokens,
                                    long segments, long started) {
        table.finish();
        int maxSentences = request.words() != null ? Integer.MAX_VALUE
                : request.sentences() != null ? request.sentences() : properties.summaries().sentences();
        int maxWords = request.words() == null ? 0 : request.words();
        List<SummaryResponse.Sentence> sentences = table.pool().choose(maxSentences, maxWords).stream()
                .map(pick -> new SummaryResponse.Sentence(text.substring(pick.start(), pick.end()), pick.start(),
                        pick.end(), pick.relevance()))
                .toList();
        String summary = String.join(" ", sentences.stream().map(s -> s.text().replaceAll("\\s+", " ")).toList());
        long ms = (System.nanoTime() - started) / 1_000_000;
        double perSecond = ms > 0 ? tokens * 1000.0 / ms : 0;
        return new SummaryResponse(summary, sentences, new SummaryResponse.Stats(tokens, segments, ms, perSecond));
    }
}
