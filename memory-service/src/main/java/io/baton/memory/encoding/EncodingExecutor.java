package io.baton.memory.encoding;

import java.util.concurrent.Callable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where CPU work over a checkpoint's bytes runs (compressing, narrowing, widening, digesting):
 * on a bounded, named scheduler ({@code baton-encoding}, one thread per core) when the bytes
 * are large enough to hold up an event loop, inline otherwise, where the hop would cost more
 * than the work.
 */
public final class EncodingExecutor implements AutoCloseable {

    /** Work on fewer bytes than this runs on the calling thread. */
    public static final int INLINE_BELOW = 64 * 1024;

    private final Scheduler scheduler;

    public EncodingExecutor(int threads) {
        this.scheduler = Schedulers.newParallel("baton-encoding", threads, true);
    }

    /** {@code work} over {@code bytes} bytes, on the scheduler if they are many. */
    public <T> Mono<T> submit(long bytes, Callable<T> work) {
        Mono<T> mono = Mono.fromCallable(work);
        return bytes < INLINE_BELOW ? mono : mono.subscribeOn(scheduler);
    }

    @Override
    public void close() {
        scheduler.dispose();
    }
}
