package io.baton.gateway.jobs;

import io.baton.gateway.jobs.queue.JobQueue;
import io.baton.gateway.jobs.store.JobRecord;
import io.baton.gateway.jobs.store.JobStatus;
import io.baton.gateway.jobs.store.RequestOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs' meters (on {@code /actuator/prometheus}):
 * <ul>
 *   <li>{@code baton.jobs.active{status}}: unfinished jobs by status, as the last sweep counted them
 *       (every instance's sweep counts all jobs of the store);
 *   <li>{@code baton.jobs.requests{outcome}}: requests this instance gave a result, by outcome;
 *   <li>{@code baton.jobs.request.latency}: from a job's submission to a request's result;
 *   <li>{@code baton.jobs.resumed}: slices that started from recorded answers (a continuation, or a
 *       request taken over from a worker that died);
 *   <li>{@code baton.jobs.restarted}: requests started over from their first segment because the
 *       state store lost their document;
 *   <li>{@code baton.jobs.queue.depth} and {@code baton.jobs.queue.oldest.age} (seconds): the
 *       messages waiting in the work queue, and the age of the oldest.
 * </ul>
 */
public final class JobMetrics {

    private final Map<JobStatus, AtomicLong> active = new EnumMap<>(JobStatus.class);
    private final Map<RequestOutcome.Kind, Counter> outcomes = new EnumMap<>(RequestOutcome.Kind.class);
    private final Timer latency;
    private final Counter resumed;
    private final Counter restarted;

    public JobMetrics(MeterRegistry registry, JobQueue queue) {
        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.IN_PROGRESS, JobStatus.CANCELLING)) {
            AtomicLong count = new AtomicLong();
            active.put(status, count);
            Gauge.builder("baton.jobs.active", count, AtomicLong::get).tag("status", status.wire())
                    .description("unfinished jobs by status, at the last sweep").register(registry);
        }
        for (RequestOutcome.Kind kind : RequestOutcome.Kind.values()) {
            outcomes.put(kind, Counter.builder("baton.jobs.requests").tag("outcome", kind.name().toLowerCase())
                    .description("job requests given a result by this instance").register(registry));
        }
        latency = Timer.builder("baton.jobs.request.latency").description("from a job's submission to a request's result")
                .publishPercentileHistogram().register(registry);
        resumed = Counter.builder("baton.jobs.resumed").description("slices that resumed from recorded answers")
                .register(registry);
        restarted = Counter.builder("baton.jobs.restarted")
                .description("requests started over from their first segment after the store lost their state")
                .register(registry);
        Gauge.builder("baton.jobs.queue.depth", queue, q -> q.depth().waiting())
                .description("messages waiting in the job queue").register(registry);
        Gauge.builder("baton.jobs.queue.oldest.age", queue, q -> q.depth().oldestAge() / 1000.0)
                .baseUnit("seconds").description("age of the oldest waiting job message").register(registry);
    }

    void finished(RequestOutcome.Kind kind) {
        outcomes.get(kind).increment();
    }

    void latency(Duration duration) {
        latency.record(duration);
    }

    void resumed() {
        resumed.increment();
    }

    void restarted() {
        restarted.increment();
    }

    /** The unfinished jobs a sweep found. */
    void active(List<JobRecord> jobs) {
        active.values().forEach(count -> count.set(0));
        for (JobRecord job : jobs) {
            AtomicLong count = active.get(job.status());
            if (count != null) {
                count.incrementAndGet();
            }
        }
    }
}
