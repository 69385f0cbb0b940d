package io.baton.gateway.jobs;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.queue.JobQueue;
import io.baton.gateway.jobs.queue.RabbitJobQueue;
import io.baton.gateway.jobs.queue.WorkMessage;
import io.baton.gateway.jobs.store.JobRecord;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.RequestRef;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Finds orphaned work, at start-up and every {@code sweepInterval}: for each unfinished job of the
 * store (every tenant's), a job past its {@code expiresAt} is expired; otherwise each request no
 * message carries any more (a job never wholly published; a lease that ran out {@code orphanAfter}
 * ago, its worker dead and its delivery gone) is published again. A duplicate message this makes is
 * harmless: a claim answers it {@code FINISHED} or {@code HELD}. Every gateway sweeps; they agree
 * through the store. The sweep also refreshes the jobs' gauges ({@link JobMetrics}).
 */
public final class JobSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobSweeper.class);

    private final JobStore store;
    private final JobQueue queue;
    private final GatewayProperties.Jobs settings;
    private final JobMetrics metrics;
    private final Clock clock;
    private Disposable running;

    public JobSweeper(JobStore store, JobQueue queue, GatewayProperties.Jobs settings, JobMetrics metrics, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Starts sweeping: at once, then every interval. */
    public synchronized void start() {
        running = Flux.interval(java.time.Duration.ZERO, settings.sweepInterval(), Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(tick -> sweep().onErrorResume(e -> {
                    log.warn("the job sweep failed: {}", e.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    /** One sweep: how many requests it published again. */
    public Mono<Integer> sweep() {
        return Mono.defer(() -> {
            if (queue instanceof RabbitJobQueue rabbit) {
                rabbit.refreshDepth();
            }
            Instant now = clock.instant();
            return store.active().collectList().flatMap(jobs -> {
                metrics.active(jobs);
                return Flux.fromIterable(jobs).concatMap(job -> sweep(job, now)).reduce(0, Integer::sum);
            });
        });
    }

    private Mono<Integer> sweep(JobRecord job, Instant now) {
        if (!job.status().finished() && now.isAfter(job.expiresAt())) {
            log.info("job {} of tenant {} expired unfinished ({} of {} requests have results)", job.id(), job.tenant(),
                    job.counts().finished(), job.counts().total());
            return store.stop(job.tenant(), job.id(), JobStore.Stop.EXPIRE, now,
                    (customId, stop) -> ResultLines.cancelled(customId, stop, JobService.instance(job.id()))).thenReturn(0);
        }
        return store.orphans(job.tenant(), job.id(), now, settings.orphanAfter()).flatMap(orphans -> {
            if (orphans.isEmpty()) {
                return Mono.just(0);
            }
            log.info("job {} of tenant {}: publishing {} orphaned requests again", job.id(), job.tenant(), orphans.size());
            return Flux.fromIterable(orphans)
                    .concatMap(index -> queue.publish(new WorkMessage(new RequestRef(job.tenant(), job.id(), index),
                            null, null)))
                    .then(job.published() ? Mono.empty() : store.published(job.tenant(), job.id()))
                    .thenReturn(orphans.size());
        });
    }

    @Override
    public synchronized void close() {
        if (running != null) {
            running.dispose();
        }
    }
}
