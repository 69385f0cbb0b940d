package io.baton.inference.segments;

import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentOutput;
import java.util.List;

/** What a segment's outputs are turned into for the caller (public for the evaluation module's bits per byte). */
public final class Readouts {

    private Readouts() {
    }

    /**
     * The mean of {@code last_hidden_state} over each sentence span [start, end) of token offsets
     * within the segment. {@code hidden} is [1, T, d]. The host's sentence vectors, and the reference a
     * runner that pools them itself is checked against.
     */
    public static float[][] sentenceVectors(FloatTensor hidden, List<int[]> spans) {
        int d = Math.toIntExact(hidden.shape()[2]);
        float[] values = hidden.values();
        float[][] out = new float[spans.size()][];
        for (int i = 0; i < spans.size(); i++) {
            int start = spans.get(i)[0];
            int end = spans.get(i)[1];
            double[] sum = new double[d];
            for (int t = start; t < end; t++) {
                for (int j = 0; j < d; j++) {
                    sum[j] += values[t * d + j];
                }
            }
            float[] mean = new float[d];
            for (int j = 0; j < d; j++) {
                mean[j] = (float) (sum[j] / (end - start));
            }
            out[i] = mean;
        }
        return out;
    }

    /**
     * Negative log-likelihood (nats) of each next token of a segment that ran with {@code next} as
     * its {@link io.baton.inference.models.SegmentInput#next() next} token: the graph's {@code
     * token_nll} when the run fetched it, else computed from the run's logits (a model exported
     * before the graph computed it, or a run that fetched logits), as {@link #tokenNll(FloatTensor,
     * long[], long)} says.
     */
    public static double[] tokenNll(SegmentOutput out, long[] tokens, long next) {
        if (out.tokenNll() == null) {
            return tokenNll(out.logits(), tokens, next);
        }
        int scored = next >= 0 ? tokens.length : tokens.length - 1;
        float[] values = out.tokenNll().values();
        double[] nll = new double[Math.max(scored, 0)];
        for (int t = 0; t < nll.length; t++) {
            nll[t] = values[t];
        }
        return nll;
    }

    /**
     * Negative log-likelihood (nats) of each next token: entry i is -log p(tokens[i+1] | ..tokens[i]).
     * With {@code next} >= 0 (the first token of the following segment) the last position is
     * scored too, so a document's segments together score every token but its first.
     * {@code logits} is [1, T, V].
     */
    public static double[] tokenNll(FloatTensor logits, long[] tokens, long next) {
        int vocab = Math.toIntExact(logits.shape()[2]);
        int scored = next >= 0 ? tokens.length : tokens.length - 1;
        double[] out = new double[Math.max(scored, 0)];
        float[] values = logits.values();
        for (int t = 0; t < out.length; t++) {
            int row = t * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, values[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(values[row + v] - max);
            }
            long target = t + 1 < tokens.length ? tokens[t + 1] : next;
            out[t] = max + Math.log(sum) - values[row + (int) target];
        }
        return out;
    }
}
