package io.baton.gateway.summarize;

import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.SegmentSentence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Extractive selection as it was before the bounded pool (commit 91de4a4's {@code SentenceTable}
 * and {@code SummaryService.summary}): every sentence's vector sum in doubles, then over all of
 * them at once. Kept in the tests as the reference the bounded selection is compared with, and
 * measured by {@link SelectionMemory}.
 */
final class LegacySelection {

    /** One sentence: its characters and the sum of its parts' vectors times their token counts. */
    static final class Entry {
        long start;
        long end;
        long tokens;
        final double[] sum;

        Entry(long start, int dim) {
            this.start = start;
            this.sum = new double[dim];
        }

        double[] mean() {
            double[] mean = new double[sum.length];
            for (int i = 0; i < sum.length; i++) {
                mean[i] = sum[i] / tokens;
            }
            return mean;
        }
    }

    private final Map<Long, Entry> sentences = new LinkedHashMap<>();

    void add(Segment segment, List<float[]> vectors) {
        List<SegmentSentence> parts = segment.sentences();
        for (int i = 0; i < parts.size(); i++) {
            SegmentSentence part = parts.get(i);
            float[] vector = vectors.get(i);
            Entry entry = sentences.computeIfAbsent(part.sentence(), n -> new Entry(part.chars().start(), vector.length));
            entry.end = Math.max(entry.end, part.chars().end());
            int weight = part.tokenCount();
            entry.tokens += weight;
            for (int d = 0; d < vector.length; d++) {
                entry.sum[d] += (double) vector[d] * weight;
            }
        }
    }

    /** The picks, in document order, as the old summary listed them (empty ones left out). */
    List<CandidatePool.Choice> choose(String text, MmrSelector.Weights weights, int minWords, int maxSentences,
                                      int maxWords) {
        List<Entry> entries = new ArrayList<>(sentences.values());
        List<int[]> spans = new ArrayList<>(entries.size());
        List<String> texts = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            int[] span = CandidatePool.stripped(text, entry.start, entry.end);
            spans.add(span);
            texts.add(text.substring(span[0], span[1]));
        }
        List<TermVector> terms = TermVector.of(texts);
        List<MmrSelector.Candidate> candidates = new ArrayList<>(entries.size());
        boolean[] eligible = new boolean[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            int words = CandidatePool.words(texts.get(i));
            eligible[i] = words >= minWords;
            candidates.add(new MmrSelector.Candidate(entries.get(i).mean(), terms.get(i), words));
        }
        return new MmrSelector(weights).select(candidates, eligible, maxSentences, maxWords).stream()
                .sorted(Comparator.comparingInt(MmrSelector.Pick::index))
                .map(p -> new CandidatePool.Choice(spans.get(p.index())[0], spans.get(p.index())[1], p.relevance()))
                .filter(c -> c.end() > c.start())
                .toList();
    }

    /** Every sentence's relevance, in document order. */
    double[] relevance(String text, MmrSelector.Weights weights) {
        List<Entry> entries = new ArrayList<>(sentences.values());
        List<String> texts = new ArrayList<>();
        for (Entry entry : entries) {
            int[] span = CandidatePool.stripped(text, entry.start, entry.end);
            texts.add(text.substring(span[0], span[1]));
        }
        List<TermVector> terms = TermVector.of(texts);
        List<MmrSelector.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            candidates.add(new MmrSelector.Candidate(entries.get(i).mean(), terms.get(i),
                    CandidatePool.words(texts.get(i))));
        }
        return new MmrSelector(weights).relevance(candidates);
    }
}
