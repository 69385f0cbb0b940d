package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentModel.Fetch;
import io.baton.inference.segments.Readouts;
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
 * SegmentModel#run(List, Fetch)}, as the service's batcher does, state copied through host memory),
 * fetching each token's NLL ({@code token_nll}: what the service's segments fetch) or the logits
 * ({@code logits}: what generation fetches; {@code logits+nll}: the logits, then each segment's
 * NLL computed from them in Java, what segments did before the graph computed it), side by side
 * in each round. Document b starts at byte {@code 100,000 + 20,011 b} of
 * the text; {@code bench/gpu_torch_eager.py} feeds PyTorch the same token ids.
 *
 * <p>Arguments: {@code modelDir textFile provider length batches seconds [threads [fetches]]},
 * provider {@code cpu}, {@code cuda} (ONNX Runtime's defaults) or {@code cuda-fp32} ({@code
 * use_tf32=0}), threads 0 for ONNX Runtime's default, fetches a list of {@code token_nll},
 * {@code logits} and {@code logits+nll} (default all three); e.g. {@code bench/out/models/jamba-bench text.txt cuda 256 1,32 5}.
 * Each cell: 3 warm-up batches, then batches for {@code seconds}, median of 3 rounds; the rounds
 * take the fetches in turn. A model without {@code token_nll} fetches logits either way. System
 * property {@code baton.bench.ort-profile=PREFIX} has ONNX Runtime write its per-node profile
 * ({@code PREFIX_<date>.json}; with {@code CUDA_LAUNCH_BLOCKING=1} a CUDA node's time is its kernels').
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
        List<Mode> fetches = Arrays.stream((args.length > 7 ? args[7] : "token_nll,logits,logits+nll").split(","))
                .map(Mode::parse).toList();
        try (OrtSession.SessionOptions options = BenchModels.options(threads);
             OrtCUDAProviderOptions cuda = provider.startsWith("cuda") ? new OrtCUDAProviderOptions(0) : null) {
            String profile = System.getProperty("baton.bench.ort-profile");
            if (profile != null) {
                options.enableProfiling(profile);
            }
            if (cuda != null) {
                if (provider.equals("cuda-fp32")) {
                    cuda.add("use_tf32", "0");
                }
                options.addCUDA(cuda);
            }
            try (SegmentModel model = SegmentModel.load(dir, options)) {
                for (int batch : batches) {
                    double[][] rates = new double[fetches.size()][3];
                    double[][] millis = new double[fetches.size()][3];
                    for (int r = 0; r < 3; r++) {
                        for (int f = 0; f < fetches.size(); f++) {
                            double[] m = new double[1];
                            rates[f][r] = tokensPerSecond(model, text, length, batch, seconds, m, fetches.get(f));
                            millis[f][r] = m[0];
                        }
                    }
                    for (int f = 0; f < fetches.size(); f++) {
                        String fetched = fetches.get(f).fetch() == Fetch.TOKEN_NLL && !model.hasTokenNll()
                                ? "logits (no token_nll)" : fetches.get(f).label();
                        System.out.printf(Locale.ROOT, "| ORT Java %s | %s | %s | %d | %d | %.1f | %,.0f |%n", provider,
                                model.id(), fetched, length, batch, BenchModels.median(millis[f]),
                                BenchModels.median(rates[f]));
                    }
                }
            }
        }
    }

    /**
     * What a batch fetches, and whether each segment's NLL is then computed in Java from the
     * logits ({@code logits+nll}: what the service did per segment before the graph computed it).
     */
    record Mode(Fetch fetch, boolean javaNll, String label) {

        static Mode parse(String text) {
            return switch (text) {
                case "token_nll" -> new Mode(Fetch.TOKEN_NLL, false, text);
                case "logits" -> new Mode(Fetch.LOGITS, false, text);
                case "logits+nll" -> new Mode(Fetch.LOGITS, true, "logits, then NLL in Java");
                default -> throw new IllegalArgumentException("fetch " + text + " is none of token_nll, logits, logits+nll");
            };
        }
    }

    static final Mode AS_THE_SERVICE = Mode.parse("token_nll");

    /** {@link #tokensPerSecond(SegmentModel, byte[], int, int, double, double[], Mode)} as the service runs segments. */
    static double tokensPerSecond(SegmentModel model, byte[] text, int length, int batch, double seconds,
                                  double[] millis) {
        return tokensPerSecond(model, text, length, batch, seconds, millis, AS_THE_SERVICE);
    }

    /** B documents' consecutive segments as batches for about {@code seconds}; tokens/s, ms per batch in {@code millis[0]}. */
    static double tokensPerSecond(SegmentModel model, byte[] text, int length, int batch, double seconds,
                                  double[] millis, Mode fetch) {
        List<DocumentState> states = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            states.add(model.initialState(1));
        }
        int step = 0;
        for (int i = 0; i < 3; i++) {
            states = step(model, text, length, states, step++, fetch);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int runs = 0;
        do {
            states = step(model, text, length, states, step++, fetch);
            runs++;
        } while (System.nanoTime() < deadline);
        double elapsed = (System.nanoTime() - start) / 1e9;
        millis[0] = elapsed * 1e3 / runs;
        return (double) runs * batch * length / elapsed;
    }

    static List<DocumentState> step(SegmentModel model, byte[] text, int length, List<DocumentState> states, int step,
                                    Mode mode) {
        List<SegmentInput> inputs = new ArrayList<>(states.size());
        for (int b = 0; b < states.size(); b++) {
            int start = documentStart(b) + step * length;
            inputs.add(new SegmentInput(ZooThroughput.segment(text, start, length), states.get(b),
                    ZooThroughput.segment(text, start + length, 1)[0]));
        }
        List<SegmentOutput> outputs = model.run(inputs, mode.fetch());
        if (mode.javaNll()) {
            for (int b = 0; b < inputs.size(); b++) {
                Readouts.tokenNll(outputs.get(b).logits(), inputs.get(b).tokens(), inputs.get(b).next());
            }
        }
        return outputs.stream().map(SegmentOutput::next).toList();
    }

    /** Where document b starts in the text. */
    static int documentStart(int b) {
        return 100_000 + 20_011 * b;
    }

    private BatchThroughput() {
    }
}
