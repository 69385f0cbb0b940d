package io.baton.gateway.summarize;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.pipeline.DocumentJob;
import io.baton.gateway.pipeline.DocumentPipeline;
import io.baton.gateway.pipeline.SegmentResult;
import io.baton.gateway.segmenting.ModelTokenizers;
import io.baton.gateway.segmenting.Segmenter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Summarizes a text: checks the request, runs the text through the {@link DocumentPipeline} under
 * a fresh document id ({@code summary-<uuid>}), gathers the sentence vectors and picks sentences
 * with {@link MmrSelector}. Emits progress after each segment and the summary last; cancelling
 * stops the run.
 */
public final class SummaryService {

    private final DocumentPipeline pipeline;
    private final ModelTokenizers tokenizers;
    private final GatewayProperties properties;

    public SummaryService(DocumentPipeline pipeline, ModelTokenizers tokenizers, GatewayProperties properties) {
        this.pipeline = pipeline;
        this.tokenizers = tokenizers;
        this.properties = properties;
    }

    /** The summary of {@code request}'s text, run as {@code tenant}'s document, with progress before it. */
    public Flux<SummaryEvent> summarize(String tenant, SummaryRequest request) {
        return Flux.defer(() -> {
            long started = System.nanoTime();
            check(request);
            String model = tokenizers.resolve(request.model());
            String text = request.text();
            Segmenter segmenter = new Segmenter(tokenizers.tokenizer(model), properties.segmenting().maxTokens());
            DocumentJob job = new DocumentJob(tenant, "summary-" + UUID.randomUUID(), model,
                    () -> segmenter.segments(text), text.length());
            SentenceTable table = new SentenceTable();
            long[] totals = new long[2];   // tokens, segments; written one segment at a time
            Flux<SummaryEvent> progress = pipeline.run(job).map(result -> {
                gather(table, result, model);
                totals[0] += result.segment().size();
                totals[1]++;
                return new SummaryEvent.Progress(result.progress());
            });
            return progress.concatWith(Mono.fromCallable(() -> new SummaryEvent.Done(
                    summary(text, table, request, totals[0], totals[1], started))));
        });
    }

    private void check(SummaryRequest request) {
        if (request.text() == null || request.text().isBlank()) {
            throw new EmptyTextException();
        }
        if (SummaryRequest.ABSTRACTIVE.equals(request.mode())) {
            throw new ModeNotAvailableException(request.mode());
        }
        if (!SummaryRequest.EXTRACTIVE.equals(request.mode())) {
            throw new InvalidSummaryRequestException("unknown mode '" + request.mode()
                    + "'; the modes are extractive and abstractive");
        }
        if (request.sentences() != null && request.words() != null) {
            throw new InvalidSummaryRequestException("give either sentences or words, not both");
        }
    }

    private static void gather(SentenceTable table, SegmentResult result, String model) {
        List<float[]> vectors = result.response().sentenceVectors();
        if (vectors.size() != result.segment().sentences().size()) {
            throw new NoSentenceVectorsException(model);
        }
        table.add(result.segment(), vectors);
    }

    private SummaryResponse summary(String text, SentenceTable table, SummaryRequest request, long tokens,
                                    long segments, long started) {
        List<SentenceTable.Entry> entries = table.entries();
        List<MmrSelector.Candidate> candidates = new ArrayList<>(entries.size());
        List<long[]> spans = new ArrayList<>(entries.size());
        boolean[] eligible = new boolean[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            SentenceTable.Entry entry = entries.get(i);
            long[] span = stripped(text, entry.start, entry.end);
            spans.add(span);
            int words = words(text.substring((int) span[0], (int) span[1]));
            eligible[i] = words >= properties.summaries().minWords();
            candidates.add(new MmrSelector.Candidate(MmrSelector.unit(entry.mean()), words));
        }
        int maxSentences = request.words() != null ? Integer.MAX_VALUE
                : request.sentences() != null ? request.sentences() : properties.summaries().sentences();
        int maxWords = request.words() == null ? 0 : request.words();
        List<MmrSelector.Pick> picks = new MmrSelector(properties.summaries().lambda())
                .select(candidates, eligible, maxSentences, maxWords);
        List<SummaryResponse.Sentence> sentences = picks.stream()
                .sorted(Comparator.comparingInt(MmrSelector.Pick::index))
                .map(pick -> {
                    long[] span = spans.get(pick.index());
                    return new SummaryResponse.Sentence(text.substring((int) span[0], (int) span[1]), span[0], span[1],
                            pick.relevance());
                })
                .filter(s -> !s.text().isEmpty())
                .toList();
        String summary = String.join(" ", sentences.stream().map(s -> s.text().replaceAll("\\s+", " ")).toList());
        long ms = (System.nanoTime() - started) / 1_000_000;
        double perSecond = ms > 0 ? tokens * 1000.0 / ms : 0;
        return new SummaryResponse(summary, sentences, new SummaryResponse.Stats(tokens, segments, ms, perSecond));
    }

    /** {@code [start, end)} without leading and trailing whitespace. */
    private static long[] stripped(String text, long start, long end) {
        int s = (int) start;
        int e = (int) end;
        while (s < e && Character.isWhitespace(text.charAt(s))) {
            s++;
        }
        while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        return new long[] {s, e};
    }

    private static int words(String sentence) {
        String trimmed = sentence.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
