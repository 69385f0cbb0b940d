package io.baton.gateway.summarize;

import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.SegmentSentence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The document's sentences with their vectors, gathered segment by segment. A sentence split
 * across segments gets the token-weighted mean of its parts' vectors, which is exactly its
 * whole vector (the mean of the hidden states over all its tokens).
 */
final class SentenceTable {

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

        /** The mean vector. */
        double[] mean() {
            double[] mean = new double[sum.length];
            for (int i = 0; i < sum.length; i++) {
                mean[i] = sum[i] / tokens;
            }
            return mean;
        }
    }

    private final Map<Long, Entry> sentences = new LinkedHashMap<>();

    /** Adds a segment's sentences and their vectors (one per sentence part, in order). */
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

    /** The sentences in document order. */
    List<Entry> entries() {
        return new ArrayList<>(sentences.values());
    }
}
