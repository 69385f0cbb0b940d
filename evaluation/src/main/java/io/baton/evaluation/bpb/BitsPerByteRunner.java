package io.baton.evaluation.bpb;

import ai.onnxruntime.OrtSession;
import io.baton.evaluation.Arguments;
import io.baton.evaluation.EvaluationException;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.Table;
import io.baton.gateway.GatewayProperties;
import io.baton.gateway.segmenting.Cut;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import io.baton.inference.InferenceProperties;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.runtime.ExecutionProviders;
import io.baton.inference.runtime.SessionOptionsFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench/quality bpb [options]}: bits per byte of one model on the held-out texts, with the
 * state carried vs reset at every segment ({@link BitsPerByte}); prints a table and writes it to
 * {@code <out>/quality-bpb-<model>.{md,csv}}.
 *
 * <p>Options: {@code --model M} (a folder of {@code --models-dir}, or a path to a model folder;
 * default the services' default model), {@code --models-dir DIR} (default {@code models/zoo}),
 * {@code --sets sotu,squality}, {@code --limit N} texts per set (default all), {@code
 * --max-tokens N} per segment (default the gateway's, 256), {@code --cut exact|sentence} where
 * segments end (default the gateway's, {@link Cut#DEFAULT}), {@code --threads N} ONNX Runtime
 * intra-op threads (default ONNX Runtime's), {@code --provider cpu|cuda} (default cpu; cuda needs
 * the {@code -Pgpu} build), {@code --data DIR}, {@code --out DIR} (default {@code bench/out}).
 * Session options as the inference service makes them ({@link SessionOptionsFactory}: full graph
 * optimisation, no spinning).
 */
public final class BitsPerByteRunner {

    static final Set<String> OPTIONS = Set.of("model", "models-dir", "sets", "limit", "max-tokens", "cut", "threads",
            "provider", "data", "out");

    public static void main(String[] args) {
        Arguments.run("bpb", args, OPTIONS, arguments -> run(arguments));
    }

    /** Runs the measurement; returns the totals per held-out set. */
    static Map<HeldOutText, BitsPerByte.Result> run(Arguments args) {
        String name = args.string("model", GatewayProperties.Models.DEFAULT_MODEL);
        Path folder = name.contains("/") ? Path.of(name) : Path.of(args.string("models-dir", "models/zoo")).resolve(name);
        if (!Files.isRegularFile(folder.resolve("model.onnx"))) {
            throw new EvaluationException("bad-option", "no model.onnx in " + folder.toAbsolutePath());
        }
        Path data = Path.of(args.string("data", DataDir.dir().toString()));
        int limit = args.positive("limit", Integer.MAX_VALUE);
        Map<HeldOutText, BitsPerByte.Result> results = new LinkedHashMap<>();
        InferenceProperties.Onnx onnx = new InferenceProperties.Onnx(args.string("provider", "cpu"), 0,
                args.has("threads") ? args.positive("threads", 1) : 0, 0, "all", true, false, false, "heuristic");
        try (OrtSession.SessionOptions options = new SessionOptionsFactory(onnx, ExecutionProviders.standard()).create();
             TextTokenizer tokenizer = TextTokenizer.load(folder);
             SegmentModel model = SegmentModel.load(folder, options)) {
            BitsPerByte bpb = new BitsPerByte(model, new Segmenter(tokenizer,
                    args.positive("max-tokens", Segmenter.DEFAULT_MAX_TOKENS), cut(args)));
            for (String setName : args.string("sets", "sotu,squality").split(",")) {
                HeldOutText set = HeldOutText.named(setName);
                long started = System.nanoTime();
                BitsPerByte.Result result = bpb.measure(set.texts(data, limit));
                results.put(set, result);
                System.err.printf(Locale.ROOT, "bpb: %s %s: %d texts, %,d bytes, %,d segments, %.1f s%n",
                        model.id(), set.label(), result.texts(), result.bytes(), result.segments(),
                        (System.nanoTime() - started) / 1e9);
            }
        }
        Table table = table(folder.getFileName().toString(), results);
        System.out.println();
        System.out.print(table.markdown());
        Path out = Path.of(args.string("out", "bench/out"));
        String file = "quality-bpb-" + folder.getFileName();
        table.write(out, file, "Bits per byte on held-out text, state carried vs reset at every segment.");
        System.err.println("bpb: wrote " + out.resolve(file + ".md") + " and .csv");
        return results;
    }

    private static Cut cut(Arguments args) {
        try {
            return Cut.named(args.string("cut", Cut.DEFAULT.toString()));
        } catch (IllegalArgumentException e) {
            throw new EvaluationException("bad-option", "--cut must be exact or sentence");
        }
    }

    static Table table(String model, Map<HeldOutText, BitsPerByte.Result> results) {
        Table table = new Table("model", "held-out text", "texts", "bytes", "tokens", "segments", "bpb carried",
                "bpb reset", "reset - carried");
        results.forEach((set, r) -> table.row(model, set.label(), r.texts(), r.bytes(), r.tokens(), r.segments(),
                f(r.carriedBitsPerByte()), f(r.resetBitsPerByte()), f(r.resetBitsPerByte() - r.carriedBitsPerByte())));
        return table;
    }

    private static String f(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
