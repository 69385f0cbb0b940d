package io.baton.gateway.summarize;

import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.SegmentSentence;
import java.util.List;

/**
 * The document's sentences with their vectors, gathered segment by segment and handed on to a
 * {@link CandidatePool} as each one is complete. A sentence split across segments gets the
 * token-weighted mean of its parts' vectors, which is exactly its whole vector (the mean of the
 * hidden states over all its tokens). Only the last sentence, which the next segment may
 * continue, is held here.
 */
final class SentenceTable {

    private final CandidatePool pool;

    /** The sentence the next segment may continue: its number, characters, tokens, and vector sum. */
    private long open = -1;
    private long start;
    private long end;
    private long tokens;
    private double[] sum;

    SentenceTable(CandidatePool pool) {
        this.pool = pool;
    }

    /** The pool the complete sentences went to. */
    CandidatePool pool() {
        return pool;
    }

    /** Adds a segment's sentences and their vectors (one per sentence part, in order). */
    void add(Segment segment, List<float[]> vectors) {
        List<SegmentSentence> parts = segment.sentences();
        for (int i = 0; i < parts.size(); i++) {
            SegmentSentence part = parts.get(i);
            float[] vector = vectors.get(i);
            if (part.sentence() != open) {
                close();
                open = part.sentence();
                start = part.chars().start();
                end = 0;
                tokens = 0;
                sum = new double[vector.length];
            }
            end = Math.max(end, part.chars().end());
            int weight = part.tokenCount();
            tokens += weight;
            for (int d = 0; d < vector.length; d++) {
                sum[d] += (double) vector[d] * weight;
            }
        }
    }

    /** Hands on the last sentence: the document has no more segments. */
    void finish() {
        close();
    }

    private void close() {
        if (open < 0) {
            return;
        }
        double[] mean = new double[sum.length];
        for (int d = 0; d < sum.length; d++) {
            mean[d] = sum[d] / tokens;
        }
        pool.add(start, end, mean);
        open = -1;
    }
}
