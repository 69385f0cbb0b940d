package io.baton.evaluation.rouge;

/**
 * One ROUGE score of a prediction against a reference, each in [0, 1].
 *
 * @param precision matched units / the prediction's units
 * @param recall    matched units / the reference's units
 * @param f1        their harmonic mean (0 when both are 0)
 */
public record Score(double precision, double recall, double f1) {

    /** All zero: what an empty prediction or reference gets. */
    public static final Score ZERO = new Score(0, 0, 0);

    /** The score of {@code matched} units out of {@code predicted} and {@code referenced}. */
    static Score of(double matched, int predicted, int referenced) {
        double precision = matched / Math.max(predicted, 1);
        double recall = matched / Math.max(referenced, 1);
        return new Score(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0);
    }
}
