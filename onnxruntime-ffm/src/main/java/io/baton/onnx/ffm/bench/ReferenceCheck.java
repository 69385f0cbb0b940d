package io.baton.onnx.ffm.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtEnvironment;
import io.baton.onnx.ffm.ModelPlan;
import io.baton.onnx.ffm.ResidentStates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How far a measured model on its provider is from a reference model (the float32 export of the same recipe, or
 * the same model) on ONNX Runtime's CPU provider: the same documents' first two segments through both, each with
 * its states on the Java heap ({@link HostStates}), and the largest differences of each readout
 * ({@code token_nll}, {@code last_hidden_state}) and of the states after the second segment. A relative difference
 * is the largest absolute one divided by the largest magnitude of the reference's values (elementwise ratios are
 * meaningless near zero). For the readouts, the median and 99th percentile of the absolute differences too: a
 * float16 rounding that flips a MoE routing moves a few tokens far, and the largest difference is theirs.
 */
public final class ReferenceCheck {

    /** The readouts compared, where both models have them. */
    static final List<String> READOUTS = List.of("token_nll", "last_hidden_state");

    /**
     * A largest absolute difference, its ratio to the reference's largest magnitude, and the median and 99th
     * percentile of the absolute differences (NaN where not computed: the states).
     */
    public record Difference(double maxAbs, double maxRel, double median, double p99) {

        static Difference of(double maxAbs, double refMax, double median, double p99) {
            return new Difference(maxAbs, refMax == 0 ? (maxAbs == 0 ? 0 : Double.POSITIVE_INFINITY) : maxAbs / refMax,
                    median, p99);
        }

        @Override
        public String toString() {
            String max = String.format(Locale.ROOT, "max %.3g (rel. %.3g)", maxAbs, maxRel);
            return Double.isNaN(median) ? max : String.format(Locale.ROOT, "%s, median %.3g, p99 %.3g", max, median, p99);
        }
    }

    /** The differences of each readout (in {@link #READOUTS} order) and of the final states. */
    public record Result(Map<String, Difference> readouts, Difference states) {

        @Override
        public String toString() {
            return readouts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")) + ", final states " + states;
        }
    }

    /**
     * Runs segments 0 and 1 of {@code batch} documents ({@link ResidentStatesBench#segments}) through both sessions
     * from zero states.
     *
     * @throws IllegalArgumentException when the two models' state plans differ
     */
    public static Result compare(OrtEnvironment env, OrtSession measured, ModelPlan measuredPlan,
                                 OrtSession reference, ModelPlan referencePlan, byte[] text, int length, int batch)
            throws OrtException {
        List<String> measuredStates = measuredPlan.state().stream().map(ModelPlan.StateSpec::input).toList();
        if (!measuredStates.equals(referencePlan.state().stream().map(ModelPlan.StateSpec::input).toList())) {
            throw new IllegalArgumentException("the reference model's states differ from the measured model's");
        }
        List<String> readouts = READOUTS.stream()
                .filter(r -> measuredPlan.outputs().contains(r) && referencePlan.outputs().contains(r)).toList();
        if (readouts.isEmpty()) {
            readouts = List.of("logits");
        }
        HostStates a = new HostStates(env, measured, measuredPlan);
        HostStates b = new HostStates(env, reference, referencePlan);
        for (int d = 0; d < batch; d++) {
            a.admit(ResidentStatesBench.document(d));
            b.admit(ResidentStatesBench.document(d));
        }
        Map<String, double[]> absAndRef = new LinkedHashMap<>();
        Map<String, List<float[]>> deltas = new LinkedHashMap<>();
        for (int step = 0; step < 2; step++) {
            List<ResidentStates.Segment> segments = ResidentStatesBench.segments(text, length, batch, step);
            ResidentStates.Readouts x = a.run(segments, readouts);
            ResidentStates.Readouts y = b.run(segments, readouts);
            for (String name : readouts) {
                float[] xs = x.get(name);
                float[] ys = y.get(name);
                accumulate(absAndRef.computeIfAbsent(name, n -> new double[2]), xs, ys);
                float[] d = new float[xs.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = Math.abs(xs[i] - ys[i]);
                }
                deltas.computeIfAbsent(name, n -> new ArrayList<>()).add(d);
            }
        }
        double[] states = new double[2];
        for (int d = 0; d < batch; d++) {
            List<float[]> x = a.export(ResidentStatesBench.document(d)).tensors();
            List<float[]> y = b.export(ResidentStatesBench.document(d)).tensors();
            for (int i = 0; i < x.size(); i++) {
                accumulate(states, x.get(i), y.get(i));
            }
        }
        Map<String, Difference> differences = new LinkedHashMap<>();
        absAndRef.forEach((name, v) -> {
            float[] sorted = concat(deltas.get(name));
            Arrays.sort(sorted);
            differences.put(name, Difference.of(v[0], v[1], quantile(sorted, 0.5), quantile(sorted, 0.99)));
        });
        return new Result(differences, Difference.of(states[0], states[1], Double.NaN, Double.NaN));
    }

    private static float[] concat(List<float[]> parts) {
        float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** The q-quantile of sorted values (nearest rank); NaNs sort last. */
    private static double quantile(float[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** into[0] = max |x - y| so far, into[1] = max |y| so far. */
    private static void accumulate(double[] into, float[] x, float[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("readouts of " + x.length + " and " + y.length + " values");
        }
        for (int i = 0; i < x.length; i++) {
            into[0] = Math.max(into[0], Math.abs((double) x[i] - y[i]));
            into[1] = Math.max(into[1], Math.abs((double) y[i]));
        }
    }

    private ReferenceCheck() {
    }
}
