package io.baton.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.baton.gateway.summarize.SummaryEvent;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryService;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Per-token time and memory of a standalone summary ({@code ./baton summarize}'s path: gateway,
 * inference and memory code in this JVM, in-memory store) by document size. Two modes:
 *
 * <ul>
 *   <li>{@code rounds textFile sizes model rounds csv}: in one warmed-up JVM, each round runs
 *       every size in an order rotated by one per round (a size under 100,000 tokens is run
 *       repeatedly up to 100,000 tokens per round, so each size is timed over a similar span);
 *       per-token time is the median over rounds. Then, once per size, the <b>live heap</b>: a
 *       full GC before the run (the baseline) and at about 16 evenly spaced segments and the last
 *       one (when every sentence vector is held), the largest heap in use right after those GCs,
 *       minus the baseline. Writes Markdown to stdout and one CSV line per size to {@code csv}.
 *   <li>{@code once textFile size model [repeats]}: a fresh JVM runs one summary of one size
 *       ({@code repeats} in a row, to see whether memory keeps growing) and prints a
 *       CSV line {@code tokens,rss_hwm_mb,heap_after_gc_peak_mb}: the process's peak resident
 *       set ({@code VmHWM} of {@code /proc/self/status}, JVM, ONNX Runtime and all) and the
 *       largest heap in use after any GC while the summary ran (GC notifications). Run it under
 *       a fixed, pre-touched heap ({@code -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}), so
 *       the heap is resident from the start and the RSS shows what grows besides it.
 * </ul>
 *
 * Documents are prefixes of the text file (byte-level tokenizers: one token per UTF-8 byte).
 */
public final class DocumentSizes {

    private static final long SPAN_PER_ROUND = 100_000;
    private static final int GC_SAMPLES = 16;

    public static void main(String[] args) throws IOException {
        String all = BenchSupport.read(Path.of(args[1]));
        if (args[0].equals("once")) {
            String text = BenchSupport.prefix(all, Long.parseLong(args[2]));
            all = null;
            once(text, args[3], args.length > 4 ? Integer.parseInt(args[4]) : 1);
            return;
        }
        long[] sizes = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
        String model = args[3];
        int rounds = Integer.parseInt(args[4]);
        Path csv = Path.of(args[5]);
        String[] texts = new String[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            texts[i] = BenchSupport.prefix(all, sizes[i]);
        }
        all = null;
        try (ConfigurableApplicationContext context = BenchSupport.standalone()) {
            SummaryService summaries = context.getBean(SummaryService.class);
            // Warm-up: every size once, then the middle one twice more.
            for (String text : texts) {
                summarize(summaries, text, model, null);
            }
            summarize(summaries, texts[sizes.length / 2], model, null);
            summarize(summaries, texts[sizes.length / 2], model, null);

            double[][] nsPerToken = new double[sizes.length][rounds];
            double[][] cpuNsPerToken = new double[sizes.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < sizes.length; k++) {
                    int i = (k + r) % sizes.length;
                    int repeats = (int) Math.max(1, SPAN_PER_ROUND / sizes[i]);
                    long cpu = cpuNanos();
                    long start = System.nanoTime();
                    long tokens = 0;
                    for (int n = 0; n < repeats; n++) {
                        tokens += summarize(summaries, texts[i], model, null);
                    }
                    nsPerToken[i][r] = (System.nanoTime() - start) / (double) tokens;
                    cpuNsPerToken[i][r] = (cpuNanos() - cpu) / (double) tokens;
                }
            }
            long[] liveBase = new long[sizes.length];
            long[] livePeak = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                liveBase[i] = usedAfterFullGc();
                LiveHeap live = new LiveHeap(sizes[i]);
                summarize(summaries, texts[i], model, live);
                livePeak[i] = live.peak;
            }

            System.out.printf(Locale.ROOT, "Standalone summaries (in-process, in-memory store), model %s; %d cores; max heap %d MB; "
                            + "%d rounds, sizes in rotated order, each size timed over >= %,d tokens per round; medians%n%n",
                    model, Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20, rounds, SPAN_PER_ROUND);
            System.out.println("| tokens | µs per token (median) | rounds (µs per token) | vs the smallest | tokens/s | CPU µs per token (median) | CPU vs the smallest "
                    + "| live heap before (MB) | live heap peak during the run (MB) | growth (MB) |");
            System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
            double first = BenchSupport.median(nsPerToken[0]);
            double firstCpu = BenchSupport.median(cpuNsPerToken[0]);
            StringBuilder lines = new StringBuilder("tokens,us_per_token,cpu_us_per_token,live_heap_before_mb,live_heap_peak_mb\n");
            for (int i = 0; i < sizes.length; i++) {
                double median = BenchSupport.median(nsPerToken[i]);
                double cpu = BenchSupport.median(cpuNsPerToken[i]);
                StringBuilder each = new StringBuilder();
                for (int r = 0; r < rounds; r++) {
                    each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", nsPerToken[i][r] / 1e3));
                }
                System.out.printf(Locale.ROOT, "| %,d | %.2f | %s | %.2fx | %,.0f | %.2f | %.2fx | %.1f | %.1f | %.1f |%n",
                        sizes[i], median / 1e3, each, median / first, 1e9 / median, cpu / 1e3, cpu / firstCpu,
                        mb(liveBase[i]), mb(livePeak[i]), mb(livePeak[i] - liveBase[i]));
                lines.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.2f,%.2f%n", sizes[i], median / 1e3, cpu / 1e3,
                        mb(liveBase[i]), mb(livePeak[i])));
            }
            Files.writeString(csv, lines);
        }
    }

    /** One summary; its token count. {@code live}, when given, samples the live heap along the way. */
    static long summarize(SummaryService summaries, String text, String model, LiveHeap live) {
        SummaryEvent last = summaries.summarize("bench", new SummaryRequest(text, model, null, null, null))
                .doOnNext(event -> {
                    if (live != null && event instanceof SummaryEvent.Progress p) {
                        live.progress(p.progress().tokens(), p.progress().fraction() >= 1.0 && !p.progress().estimated());
                    }
                })
                .blockLast();
        return ((SummaryEvent.Done) last).summary().stats().tokens();
    }

    /** Full GCs at evenly spaced points of a run; the most heap in use right after them. */
    static final class LiveHeap {

        private final long step;
        private long next;
        long peak;

        LiveHeap(long tokens) {
            this.step = Math.max(1, tokens / GC_SAMPLES);
            this.next = step;
        }

        void progress(long tokensDone, boolean last) {
            if (tokensDone >= next || last) {
                next = tokensDone + step;
                peak = Math.max(peak, usedAfterFullGc());
            }
        }
    }

    /** CPU time this JVM has used so far (all its threads, ONNX Runtime's included), in ns. */
    static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    static long usedAfterFullGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * One size in a fresh JVM, {@code repeats} summaries in a row: peak RSS (the whole process's
     * life) and the largest heap in use after any GC while the summaries ran (start-up and reading
     * the corpus left out); the tokens printed are those of all the summaries.
     */
    static void once(String text, String model, int repeats) throws IOException {
        AtomicLong afterGc = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (measuring.get()
                        && GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                            (CompositeData) notification.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                            .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                    afterGc.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
        long tokens;
        try (ConfigurableApplicationContext context = BenchSupport.standalone()) {
            SummaryService summaries = context.getBean(SummaryService.class);
            usedAfterFullGc();
            measuring.set(true);
            tokens = 0;
            for (int n = 0; n < repeats; n++) {
                tokens += summarize(summaries, text, model, null);
            }
            measuring.set(false);
        }
        if (Boolean.getBoolean("bench.nmt")) {
            // Where the JVM's own native memory went (needs -XX:NativeMemoryTracking=summary); to stderr.
            System.err.println(nativeMemorySummary());
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "%d,%.1f,%.1f%n", tokens, kbField("VmHWM") / 1024.0, mb(afterGc.get()));
    }

    /** {@code jcmd <pid> VM.native_memory summary}, asked of this JVM through its diagnostic command MBean. */
    private static String nativeMemorySummary() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            return "(no native memory summary: " + e + ")";
        }
    }

    private static long kbField(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }

    private static double mb(long bytes) {
        return bytes / (double) (1 << 20);
    }

    private DocumentSizes() {
    }
}
