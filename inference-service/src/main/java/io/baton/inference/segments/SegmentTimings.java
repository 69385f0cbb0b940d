package io.baton.inference.segments;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Where one segment's time went inside the service, answered in the {@code Server-Timing} header
 * of {@code POST /v1/segments} (W3C Server Timing: {@code name;dur=milliseconds}; the steps that
 * happened, in this order, then {@code total}):
 * <ul>
 *   <li>{@code state}: getting the state of segment n-1 (this instance's own copy, or a read of
 *       checkpoint n-1 from the memory service and its decode);</li>
 *   <li>{@code queue}: waiting for the runner (a batch of other documents' segments running);</li>
 *   <li>{@code run}: the batch's ONNX Runtime run, this segment's included;</li>
 *   <li>{@code predecessor}: only for a segment that ran from the state of its predecessor still in
 *       flight here (a follower): from its run until the digest its own put names as its parent is
 *       known: the predecessor's checkpoint encoded, when putting ahead; else the predecessor's put
 *       answered (and again after a put ahead that was refused);</li>
 *   <li>{@code store}: encoding checkpoint n and the memory service's answer to its put (a put ahead
 *       is held there until its predecessor is stored; one refused and sent again counts both);</li>
 *   <li>{@code readout}: sentence vectors and token log-likelihoods (while the put is in flight);</li>
 *   <li>{@code total}: from the request's arrival in the pipeline to its answer being ready.</li>
 * </ul>
 * A step that happens twice (a segment run again after its parent turned out stale) counts its
 * two durations together. Steps are recorded from whichever thread performs them.
 */
public final class SegmentTimings {

    /** The header's name. */
    public static final String HEADER = "Server-Timing";

    /** The steps of a segment, in the header's order. */
    public enum Step {
        STATE, QUEUE, RUN, PREDECESSOR, STORE, READOUT;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    private final long start = System.nanoTime();
    private final Map<Step, Long> nanos = new EnumMap<>(Step.class);

    /** Adds the time from {@code fromNanos} to now ({@link System#nanoTime()}) to {@code step}. */
    public void since(Step step, long fromNanos) {
        add(step, fromNanos, System.nanoTime());
    }

    /** Adds {@code toNanos - fromNanos} to {@code step}. */
    public void add(Step step, long fromNanos, long toNanos) {
        synchronized (nanos) {
            nanos.merge(step, toNanos - fromNanos, Long::sum);
        }
    }

    /** Each step so far, in nanoseconds, in the header's order (a copy). */
    public Map<Step, Long> steps() {
        synchronized (nanos) {
            return new EnumMap<>(nanos);
        }
    }

    /** Nanoseconds since this segment arrived in the pipeline. */
    public long elapsedNanos() {
        return System.nanoTime() - start;
    }

    /** The header value: each step so far, then the total up to now. */
    public String header() {
        StringJoiner out = new StringJoiner(", ");
        synchronized (nanos) {
            nanos.forEach((step, ns) -> out.add(entry(step.label, ns)));
        }
        return out.add(entry("total", System.nanoTime() - start)).toString();
    }

    /**
     * The steps of a header this class wrote ({@code name;dur=ms, ...}), in its order, in ms: what
     * a caller reads back, e.g. to add up where its segments' time went.
     */
    public static Map<String, Double> parse(String header) {
        Map<String, Double> steps = new LinkedHashMap<>();
        for (String entry : header.split(",\\s*")) {
            String[] parts = entry.split(";dur=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("not a Server-Timing entry with a duration: '" + entry + "'");
            }
            steps.put(parts[0], Double.parseDouble(parts[1]));
        }
        return steps;
    }

    private static String entry(String step, long ns) {
        return String.format(Locale.ROOT, "%s;dur=%.3f", step, ns / 1e6);
    }
}
