package io.baton.gateway.summarize;

import com.sun.management.ThreadMXBean;
import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.SegmentSentence;
import io.baton.gateway.segmenting.Sentence;
import io.baton.gateway.segmenting.SentenceSplitter;
import io.baton.gateway.segmenting.TextSpan;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * Benchmark (bench/summary-memory): the heap extractive selection keeps for documents of growing
 * size, the selection over all sentences as it was ({@link LegacySelection}) and the bounded pool
 * side by side in one JVM. Synthetic texts of about 114 characters a sentence (160,000 sentences
 * pass the 16 MB body limit), cut into segments of at most 256 tokens (a token counted per 4
 * characters: only the sentence parts matter here), with seeded vectors of the hidden size of
 * {@code models/zoo/gemma2-small}. Per document and selection: the heap in use after a full GC
 * once every segment was gathered, less the heap before (retained), the bytes the final selection
 * allocated (its transient arrays), and its time.
 *
 * <p>Arguments: sentence counts (comma-separated), the CSV to write.
 */
public final class SelectionMemory {

    private SelectionMemory() {
    }

    public static void main(String[] args) throws IOException {
        int[] sizes = java.util.Arrays.stream((args.length > 0 ? args[0] : "1000,10000,40000,160000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path csv = Path.of(args.length > 1 ? args[1] : "bench/out/summary-memory.csv");
        int hidden = JsonMapper.builder().build()
                .readTree(SelectionDocuments.zoo().resolve("gemma2-small/baton-model.json").toFile())
                .get("hidden_size").asInt();
        int capacity = 2048;
        StringBuilder rows = new StringBuilder("sentences,text_mb,selection,retained_mb,selection_allocated_mb,"
                + "selection_ms\n");
        System.out.printf("hidden size %d (gemma2-small), pool %d sentences%n%n", hidden, capacity);
        System.out.println("| sentences | text (MB) | retained, old (MB) | retained, bounded (MB) | old / bounded "
                + "| selection allocates, old (MB) | bounded (MB) | selection, old (ms) | bounded (ms) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int n : sizes) {
            String text = SelectionDocuments.synthetic(n, 20_000, n);
            double textMb = text.length() / 1e6;
            long[] old = measure(text, hidden, () -> {
                LegacySelection legacy = new LegacySelection();
                return new Measured() {
                    @Override
                    public void add(Segment segment, List<float[]> v) {
                        legacy.add(segment, v);
                    }

                    @Override
                    public int select() {
                        return legacy.choose(text, CandidatePoolTest.WEIGHTS, 12, Integer.MAX_VALUE, 418).size();
                    }
                };
            });
            long[] bounded = measure(text, hidden, () -> {
                CandidatePool pool = new CandidatePool(text, capacity, 12, CandidatePoolTest.WEIGHTS);
                SentenceTable table = new SentenceTable(pool);
                return new Measured() {
                    @Override
                    public void add(Segment segment, List<float[]> v) {
                        table.add(segment, v);
                    }

                    @Override
                    public int select() {
                        table.finish();
                        return pool.choose(Integer.MAX_VALUE, 418).size();
                    }
                };
            });
            rows.append(String.format("%d,%.2f,old,%.2f,%.2f,%d%n", n, textMb, mb(old[0]), mb(old[1]), old[2]));
            rows.append(String.format("%d,%.2f,bounded,%.2f,%.2f,%d%n", n, textMb, mb(bounded[0]), mb(bounded[1]),
                    bounded[2]));
            System.out.printf("| %,d | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %,d | %,d |%n", n, textMb, mb(old[0]),
                    mb(bounded[0]), (double) old[0] / bounded[0], mb(old[1]), mb(bounded[1]), old[2], bounded[2]);
        }
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.writeString(csv, rows);
    }

    /** A selection being measured: gathers segments, then selects. */
    interface Measured {
        void add(Segment segment, List<float[]> vectors);

        int select();
    }

    /** Retained bytes after gathering, bytes the selection allocated, its milliseconds. */
    private static long[] measure(String text, int hidden, Supplier<Measured> make) {
        long before = usedAfterGc();
        Measured selection = make.get();
        segments(text, hidden, selection::add);
        long retained = usedAfterGc() - before;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = threads.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        int picks = selection.select();
        long ms = (System.nanoTime() - started) / 1_000_000;
        allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
        if (picks == 0) {
            throw new IllegalStateException("nothing picked");
        }
        Reference.reachabilityFence(selection);
        return new long[] {retained, allocated, ms};
    }

    /** The text's segments: whole sentences (a token per 4 characters) packed into at most 256 tokens. */
    private static void segments(String text, int hidden, BiConsumer<Segment, List<float[]>> sink) {
        Random random = new Random(1);
        Iterator<Sentence> sentences = new SentenceSplitter().sentences(text);
        List<SegmentSentence> parts = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        long index = 0;
        long offset = 0;
        int count = 0;
        long chars = 0;
        while (sentences.hasNext()) {
            Sentence sentence = sentences.next();
            int tokens = Math.min(256, Math.max(1, sentence.text().length() / 4));
            if (count + tokens > 256) {
                sink.accept(new Segment(index++, offset, new long[count], parts, new TextSpan(chars, sentence.start())),
                        vectors);
                offset += count;
                chars = sentence.start();
                count = 0;
                parts = new ArrayList<>();
                vectors = new ArrayList<>();
            }
            parts.add(new SegmentSentence(sentence.index(), count, count + tokens, sentence.span()));
            vectors.add(SelectionDocuments.vector(random, hidden));
            count += tokens;
        }
        if (count > 0) {
            sink.accept(new Segment(index, offset, new long[count], parts, new TextSpan(chars, text.length())), vectors);
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static double mb(long bytes) {
        return bytes / 1e6;
    }
}
