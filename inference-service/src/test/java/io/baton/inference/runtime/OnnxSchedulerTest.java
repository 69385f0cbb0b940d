package io.baton.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.inference.admission.ServiceBusyException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Blocking runs go to threads named onnx-runner-N, at most the configured number at once. */
class OnnxSchedulerTest {

    @Test
    void runsOnNamedThreadsAtMostThreadsAtOnce() throws Exception {
        try (OnnxScheduler runner = new OnnxScheduler(2, 100)) {
            AtomicInteger active = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            CountDownLatch twoStarted = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            Flux<String> runs = Flux.range(0, 6).flatMap(i -> runner.run(() -> {
                most.accumulateAndGet(active.incrementAndGet(), Math::max);
                twoStarted.countDown();
                boolean released = release.await(30, TimeUnit.SECONDS);
                active.decrementAndGet();
                return released ? Thread.currentThread().getName() : "not released";
            }));
            var names = runs.collectList().toFuture();
            assertThat(twoStarted.await(30, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            List<String> threads = names.get(30, TimeUnit.SECONDS);
            assertThat(threads).hasSize(6).allMatch(n -> n.matches("onnx-runner-\\d+"), "named onnx-runner-N");
            assertThat(most.get()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aRunBeyondTheQueueIsRefusedServiceBusyAndTheRunnerStaysUsable() throws Exception {
        try (OnnxScheduler runner = new OnnxScheduler(1, 1)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            var running = runner.run(() -> {
                started.countDown();
                return release.await(30, TimeUnit.SECONDS);
            }).toFuture();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            var queued = runner.run(() -> "queued").toFuture();

            assertThatThrownBy(() -> runner.run(() -> "one too many").block(Duration.ofSeconds(30)))
                    .isInstanceOf(ServiceBusyException.class)
                    .satisfies(e -> assertThat(((ServiceBusyException) e).status()).isEqualTo(503));
            release.countDown();
            assertThat(running.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(queued.get(30, TimeUnit.SECONDS)).isEqualTo("queued");
            assertThat(runner.run(() -> "after").block(Duration.ofSeconds(30))).isEqualTo("after");
        }
    }

    @Test
    void closingDisposesTheThreads() {
        OnnxScheduler runner = new OnnxScheduler(1, 10);
        assertThat(runner.run(() -> 42).block(Duration.ofSeconds(30))).isEqualTo(42);
        runner.close();
        assertThat(runner.scheduler().isDisposed()).isTrue();
    }
}
