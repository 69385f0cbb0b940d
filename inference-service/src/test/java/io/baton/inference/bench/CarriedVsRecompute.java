package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Carried state against recomputing a full window from scratch for every segment: the baseline of
 * Transformer-XL's evaluation speed-up. One document of {@code tokens} tokens, two ways, in turns:
 *
 * <ul>
 *   <li><b>carried</b>: segment by segment, each run fed the state the previous one left
 *       ({@link SegmentModel#run(long[], DocumentState)} with the previous output's next state);
 *   <li><b>recompute</b>: for each segment, one run with the initial (zero) state over the
 *       previous {@code W} tokens and the segment, {@code W} being the model's attention memory
 *       ({@code mask_past} of its {@code baton-model.json}: the longest window it keeps); only the
 *       segment's outputs would be used.
 * </ul>
 *
 * Before the timed rounds one untimed pass runs both ways over the whole document (warm-up) and
 * records the largest difference between the two ways' logits at the segment's positions: zero
 * only where W tokens of context are all the carried state holds (a stack of windowed layers, or
 * an SSM, sees further back, so recomputing is not exact; Transformer-XL's paper says the same).
 * Rounds alternate which way goes first; tokens/s is the median over the rounds. Each pass also
 * records the CPU time this JVM used (ONNX Runtime's threads included): on a shared machine the
 * wall-clock rates swing with the neighbours' load, the CPU time per token much less, so the
 * speed-up is given both ways.
 *
 * <p>Arguments: {@code modelsDir models textFile tokens lengths rounds threads}, e.g.
 * {@code models/zoo transformer_xl-tiny,gemma2-tiny text.txt 65536 16,64,256 3 2}. Token ids
 * are the text's bytes (the zoo's tokenizers are byte-level).
 */
public final class CarriedVsRecompute {

    public static void main(String[] args) throws IOException, OrtException {
        Path dir = Path.of(args[0]);
        List<String> models = List.of(args[1].split(","));
        byte[] text = Files.readAllBytes(Path.of(args[2]));
        int tokens = Integer.parseInt(args[3]);
        int[] lengths = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[5]);
        int threads = Integer.parseInt(args[6]);
        long[] document = ZooThroughput.segment(text, 0, tokens);

        System.out.printf(Locale.ROOT, "ONNX Runtime Java, %d intra-op threads, 1 inter-op thread, %d cores; one document of "
                        + "%,d tokens per way and round, %d rounds, the ways alternating; medians%n%n",
                threads, Runtime.getRuntime().availableProcessors(), tokens, rounds);
        System.out.println("| model | W | seg | carried (tokens/s) | recompute W + seg from zero state (tokens/s) "
                + "| speed-up (rounds) | CPU µs per token: carried | CPU µs per token: recompute | speed-up by CPU time "
                + "| tokens run per segment, recompute | max \\|logits carried - recompute\\| |");
        System.out.println("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        try (OrtSession.SessionOptions options = BenchModels.options(threads)) {
            for (String id : models) {
                try (SegmentModel model = SegmentModel.load(dir.resolve(id), options)) {
                    int window = model.plan().maskPast();
                    for (int length : lengths) {
                        double difference = compare(model, document, length, window);
                        double[] carried = new double[rounds];
                        double[] recomputed = new double[rounds];
                        double[] carriedCpu = new double[rounds];
                        double[] recomputedCpu = new double[rounds];
                        double[] speedUp = new double[rounds];
                        StringBuilder each = new StringBuilder();
                        for (int r = 0; r < rounds; r++) {
                            for (int k = 0; k < 2; k++) {
                                long cpu = BenchModels.ownCpuNanos();
                                if ((k + r) % 2 == 0) {
                                    carried[r] = carried(model, document, length);
                                    carriedCpu[r] = (BenchModels.ownCpuNanos() - cpu) / 1e3 / tokens;
                                } else {
                                    recomputed[r] = recomputed(model, document, length, window);
                                    recomputedCpu[r] = (BenchModels.ownCpuNanos() - cpu) / 1e3 / tokens;
                                }
                            }
                            speedUp[r] = carried[r] / recomputed[r];
                            each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", speedUp[r]));
                        }
                        double carriedCpuMedian = BenchModels.median(carriedCpu);
                        double recomputedCpuMedian = BenchModels.median(recomputedCpu);
                        System.out.printf(Locale.ROOT, "| %s | %d | %d | %,.0f | %,.0f | **%.2fx** (%s) | %.1f | %.1f | %.2fx | %d | %.1e |%n",
                                id, window, length, BenchModels.median(carried), BenchModels.median(recomputed),
                                BenchModels.median(speedUp), each, carriedCpuMedian, recomputedCpuMedian,
                                recomputedCpuMedian / carriedCpuMedian, window + length, difference);
                    }
                }
            }
        }
    }

    /** The document segment by segment with the state carried; tokens/s. */
    static double carried(SegmentModel model, long[] document, int length) {
        long start = System.nanoTime();
        DocumentState state = model.initialState(1);
        for (int from = 0; from < document.length; from += length) {
            state = model.run(slice(document, from, from + length), state).next();
        }
        return document.length / ((System.nanoTime() - start) / 1e9);
    }

    /** The document segment by segment, each from the zero state over the W tokens before it and itself; tokens/s. */
    static double recomputed(SegmentModel model, long[] document, int length, int window) {
        long start = System.nanoTime();
        for (int from = 0; from < document.length; from += length) {
            model.run(slice(document, Math.max(0, from - window), from + length), model.initialState(1));
        }
        return document.length / ((System.nanoTime() - start) / 1e9);
    }

    /** Both ways over the whole document, untimed; the largest difference of their logits at the segments' positions. */
    static double compare(SegmentModel model, long[] document, int length, int window) {
        DocumentState state = model.initialState(1);
        double largest = 0;
        for (int from = 0; from < document.length; from += length) {
            long[] segment = slice(document, from, from + length);
            SegmentOutput carried = model.run(segment, state);
            state = carried.next();
            int context = Math.min(from, window);
            FloatTensor recomputed = model.run(slice(document, from - context, from + length), model.initialState(1))
                    .logits().narrow(1, context, segment.length);
            largest = Math.max(largest, carried.logits().maxAbsDifference(recomputed));
        }
        return largest;
    }

    static long[] slice(long[] document, int from, int to) {
        return Arrays.copyOfRange(document, from, Math.min(to, document.length));
    }

    private CarriedVsRecompute() {
    }
}
