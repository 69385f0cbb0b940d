package io.baton.inference.generation;

import io.baton.protocol.inference.GeneratedToken;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: greedy at temperature 0, otherwise temperature
 * sampling restricted to the top-p nucleus, from a seeded generator so a request is repeatable.
 */
final class Sampler {

    private final double temperature;
    private final double topP;
    private final SplittableRandom random;

    Sampler(double temperature, double topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** The chosen token id and its log-probability at temperature 1. */
    GeneratedToken pick(int index, float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double norm = 0;
        for (int v = 0; v < vocab; v++) {
            norm += Math.exp(logits[offset + v] - max);
        }
        double logNorm = max + Math.log(norm);
        int chosen = temperature == 0 ? argmax(logits, offset, vocab) : sample(logits, offset, vocab);
        return new GeneratedToken(index, chosen, logits[offset + chosen] - logNorm);
    }

    private static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (logits[offset + v] > logits[offset + best]) {
                best = v;
            }
        }
        return best;
    }

    private int sample(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v] / temperature);
        }
        double[] p = new double[vocab];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            p[v] = Math.exp(logits[offset + v] / temperature - max);
            sum += p[v];
        }
        Integer[] order = new Integer[vocab];
        for (int v = 0; v < vocab; v++) {
            order[v] = v;
            p[v] /= sum;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int size = 0;
        while (size < vocab && (size == 0 || kept < topP)) {
            kept += p[order[size++]];
        }
        double target = random.nextDouble() * kept;
        for (int i = 0; i < size; i++) {
            target -= p[order[i]];
            if (target <= 0) {
                return order[i];
            }
        }
        return order[size - 1];
    }
}
