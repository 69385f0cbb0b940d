package io.baton.inference.runtime;

import io.baton.inference.admission.ServiceBusyException;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The bounded scheduler that blocking ONNX Runtime runs go to, so request threads never block:
 * at most {@code threads} runs at once, at most {@code queue} waiting, threads named
 * {@code onnx-runner-N}. Disposed when the application stops. A run it has no room for fails
 * {@code service-busy} (503, {@code Retry-After}), never an unexpected error.
 */
public final class OnnxScheduler implements AutoCloseable {

    /** Thread names are this, a dash and a number. */
    public static final String THREAD_PREFIX = "onnx-runner";

    private static final int IDLE_SECONDS = 60;

    private final Scheduler scheduler;
    private final int threads;

    public OnnxScheduler(int threads, int queue) {
        this.threads = threads;
        this.scheduler = Schedulers.newBoundedElastic(threads, queue, THREAD_PREFIX, IDLE_SECONDS, true);
    }

    /** The blocking {@code work}, run on this scheduler when subscribed; {@link ServiceBusyException} when it is full. */
    public <T> Mono<T> run(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(scheduler)
                .onErrorMap(RejectedExecutionException.class,
                        rejected -> new ServiceBusyException("the model runner is at capacity; retry later", rejected));
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The most runs at once. */
    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        scheduler.dispose();
    }
}
