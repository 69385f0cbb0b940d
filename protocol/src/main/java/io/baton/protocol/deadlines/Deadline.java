package io.baton.protocol.deadlines;

import io.baton.protocol.BatonHeaders;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The moment by which a request's work must be done, on this JVM's monotonic clock. It travels in
 * the Reactor context ({@link #KEY}) of the request it belongs to, and between services as the
 * milliseconds left ({@link BatonHeaders#TIME_LEFT_MS}), so hosts need not share a clock.
 */
public final class Deadline {

    /** The Reactor context key holding the request's deadline. */
    public static final String KEY = Deadline.class.getName();

    /** The most a caller may ask for (a day); a longer header value is read as this. */
    static final Duration LONGEST = Duration.ofDays(1);

    private final long atNanos;

    private Deadline(long atNanos) {
        this.atNanos = atNanos;
    }

    /** A deadline {@code time} from now. */
    public static Deadline in(Duration time) {
        return new Deadline(System.nanoTime() + Math.min(time.toNanos(), LONGEST.toNanos()));
    }

    /** The deadline in a Reactor context, or null when the work has none. */
    public static Deadline of(ContextView context) {
        return context.getOrDefault(KEY, null);
    }

    /**
     * The deadline a call's {@link BatonHeaders#TIME_LEFT_MS} header gives, counted from now;
     * null when there is none. A value that is not a whole number of milliseconds is refused.
     *
     * @throws IllegalArgumentException when the value is not a number of milliseconds
     */
    public static Deadline fromHeader(String millis) {
        if (millis == null) {
            return null;
        }
        long left;
        try {
            left = Long.parseLong(millis.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BatonHeaders.TIME_LEFT_MS + " must be a whole number of milliseconds, got '"
                    + millis + "'");
        }
        return in(Duration.ofMillis(Math.max(0, Math.min(left, LONGEST.toMillis()))));
    }

    /**
     * {@code cleanUp} run without the request's deadline: work that must still happen once the
     * deadline has ended the request (deleting what it stored), bounded by each call's own timeout
     * instead. Without this, the clean-up's calls would find the deadline passed and never be sent.
     */
    public static <T> Mono<T> outliving(Mono<T> cleanUp) {
        return cleanUp.contextWrite(context -> context.delete(KEY));
    }

    /** The earlier of this and {@code other} (which may be null). */
    public Deadline earlier(Deadline other) {
        return other == null || atNanos - other.atNanos <= 0 ? this : other;
    }

    /** Time left; zero once passed. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }

    /** Whether it has passed. */
    public boolean passed() {
        return atNanos - System.nanoTime() <= 0;
    }

    /** What the {@link BatonHeaders#TIME_LEFT_MS} header of a call made now says. */
    public String header() {
        return Long.toString(remaining().toMillis());
    }

    @Override
    public String toString() {
        return "deadline in " + remaining().toMillis() + " ms";
    }
}
