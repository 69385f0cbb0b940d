package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Tokens per second of each zoo model in ONNX Runtime Java, one document processed segment by
 * segment with its state carried, at several segment lengths. Prints a Markdown table.
 *
 * <p>Arguments: {@code zooDir textFile [threads] [seconds per cell]}. Each cell warms up on
 * three segments, then runs segments until the time is spent, and reports the median of three
 * such rounds; the rows are measured in one process, side by side.
 */
public final class ZooThroughput {

    static final int[] SEGMENT_LENGTHS = {64, 256, 1024};

    public static void main(String[] args) throws IOException, OrtException {
        Path zoo = Path.of(args[0]);
        byte[] text = Files.readAllBytes(Path.of(args[1]));
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 1.0;

        List<Path> models;
        try (Stream<Path> dirs = Files.list(zoo)) {
            models = dirs.filter(d -> Files.isRegularFile(d.resolve("baton-model.json"))).sorted().toList();
        }
        System.out.printf(Locale.ROOT, "ONNX Runtime Java, %d intra-op threads, %d cores, %.1f s per round, median of 3%n%n",
                threads, Runtime.getRuntime().availableProcessors(), seconds);
        StringBuilder header = new StringBuilder("| model |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int length : SEGMENT_LENGTHS) {
            header.append(" seg ").append(length).append(" (tokens/s) |");
            rule.append("---:|");
        }
        System.out.println(header.append(" 1024 / 64 |"));
        System.out.println(rule.append("---:|"));
        for (Path dir : models) {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                try (SegmentModel model = SegmentModel.load(dir, options)) {
                    StringBuilder row = new StringBuilder("| " + model.id() + " |");
                    double first = 0;
                    double last = 0;
                    for (int length : SEGMENT_LENGTHS) {
                        double rate = median(tokensPerSecond(model, text, length, seconds),
                                tokensPerSecond(model, text, length, seconds),
                                tokensPerSecond(model, text, length, seconds));
                        first = first == 0 ? rate : first;
                        last = rate;
                        row.append(String.format(Locale.ROOT, " %,.0f |", rate));
                    }
                    System.out.println(row.append(String.format(Locale.ROOT, " %.2f |", last / first)));
                }
            }
        }
    }

    /** Runs consecutive segments of one document for about {@code seconds}; tokens per second. */
    static double tokensPerSecond(SegmentModel model, byte[] text, int length, double seconds) {
        DocumentState state = model.initialState(1);
        int offset = 0;
        for (int i = 0; i < 3; i++) {
            state = model.run(segment(text, offset, length), state).next();
            offset += length;
        }
        long tokens = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            state = model.run(segment(text, offset, length), state).next();
            offset = (offset + length) % (text.length - length);
            tokens += length;
        } while (System.nanoTime() < deadline);
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    static long[] segment(byte[] text, int offset, int length) {
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = text[(offset + i) % text.length] & 0xFF;
        }
        return ids;
    }

    static double median(double a, double b, double c) {
        List<Double> values = new ArrayList<>(List.of(a, b, c));
        values.sort(null);
        return values.get(1);
    }

    private ZooThroughput() {
    }
}
