package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Tokens/s of one model in ONNX Runtime Java at several batch sizes: B documents, each processed
 * segment by segment with its own state, their segments run as one batch ({@link
 * SegmentModel#run(List)}, as the service's batcher does, state copied through host memory).
 * Document b starts at byte {@code 100,000 + 20,011 b} of the text; {@code bench/gpu_torch_eager.py}
 * feeds PyTorch the same token ids.
 *
 * <p>Arguments: {@code modelDir textFile provider length batches seconds [threads]}, provider
 * {@code cpu}, {@code cuda} (ONNX Runtime's defaults) or {@code cuda-fp32} ({@code use_tf32=0});
 * e.g. {@code bench/out/models/jamba-bench text.txt cuda 256 1,32 5}. Each cell: 3 warm-up
 * batches, then batches for {@code seconds}, median of 3 rounds.
 */
public final class BatchThroughput {

    public static void main(String[] args) throws IOException, OrtException {
        Path dir = Path.of(args[0]);
        byte[] text = Files.readAllBytes(Path.of(args[1]));
        String provider = args[2];
        int length = Integer.parseInt(args[3]);
        int[] batches = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(args[5]);
        int threads = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        try (OrtSession.SessionOptions options = BenchModels.options(threads);
             OrtCUDAProviderOptions cuda = provider.startsWith("cuda") ? new OrtCUDAProviderOptions(0) : null) {
            if (cuda != null) {
                if (provider.equals("cuda-fp32")) {
                    cuda.add("use_tf32", "0");
                }
                options.addCUDA(cuda);
            }
            try (SegmentModel model = SegmentModel.load(dir, options)) {
                for (int batch : batches) {
                    double[] rates = new double[3];
                    double[] millis = new double[3];
                    for (int r = 0; r < 3; r++) {
                        double[] m = new double[1];
                        rates[r] = tokensPerSecond(model, text, length, batch, seconds, m);
                        millis[r] = m[0];
                    }
                    System.out.printf(Locale.ROOT, "| ORT Java %s | %s | %d | %d | %.1f | %,.0f |%n", provider,
                            model.id(), length, batch, BenchModels.median(millis), BenchModels.median(rates));
                }
            }
        }
    }

    /** B documents' consecutive segments as batches for about {@code seconds}; tokens/s, ms per batch in {@code millis[0]}. */
    static double tokensPerSecond(SegmentModel model, byte[] text, int length, int batch, double seconds,
                                  double[] millis) {
        List<DocumentState> states = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            states.add(model.initialState(1));
        }
        int step = 0;
        for (int i = 0; i < 3; i++) {
            states = step(model, text, length, states, step++);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int runs = 0;
        do {
            states = step(model, text, length, states, step++);
            runs++;
        } while (System.nanoTime() < deadline);
        double elapsed = (System.nanoTime() - start) / 1e9;
        millis[0] = elapsed * 1e3 / runs;
        return (double) runs * batch * length / elapsed;
    }

    static List<DocumentState> step(SegmentModel model, byte[] text, int length, List<DocumentState> states, int step) {
        List<SegmentInput> inputs = new ArrayList<>(states.size());
        for (int b = 0; b < states.size(); b++) {
            inputs.add(new SegmentInput(ZooThroughput.segment(text, documentStart(b) + step * length, length), states.get(b)));
        }
        List<SegmentOutput> outputs = model.run(inputs);
        return outputs.stream().map(SegmentOutput::next).toList();
    }

    /** Where document b starts in the text. */
    static int documentStart(int b) {
        return 100_000 + 20_011 * b;
    }

    private BatchThroughput() {
    }
}
