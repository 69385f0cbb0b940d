package io.baton.gateway.jobs.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The job store of standalone mode: every job in this JVM's memory, each changed under its own
 * lock. A job is gone once it is finished and its {@code expiresAt} has passed, or, unfinished, one
 * retention after that (checked when it is read, and by {@link #active()}); nothing outlives the
 * process, as with the standalone state store. Times are kept to the millisecond, as in Redis.
 */
public final class InMemoryJobStore implements JobStore {

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, String> idempotencyKeys = new ConcurrentHashMap<>();
    private final java.time.Clock clock;

    public InMemoryJobStore(java.time.Clock clock) {
        this.clock = clock;
    }

    @Override
    public Mono<Submitted> create(NewJob job) {
        return Mono.fromSupplier(() -> {
            synchronized (idempotencyKeys) {
                if (job.idempotencyKey() != null) {
                    String earlier = idempotencyKeys.get(key(job.tenant(), job.idempotencyKey()));
                    Job found = earlier == null ? null : live(job.tenant(), earlier);
                    if (found != null) {
                        return new Submitted(found.read(Job::record), false);
                    }
                }
                Job created = new Job(job);
                jobs.put(key(job.tenant(), job.id()), created);
                if (job.idempotencyKey() != null) {
                    idempotencyKeys.put(key(job.tenant(), job.idempotencyKey()), job.id());
                }
                return new Submitted(created.read(Job::record), true);
            }
        });
    }

    @Override
    public Mono<JobRecord> find(String tenant, String id) {
        return with(tenant, id, Job::record);
    }

    @Override
    public Mono<JobPage> list(String tenant, String after, int limit) {
        return Mono.fromSupplier(() -> {
            List<JobRecord> all = jobs.values().stream()
                    .filter(job -> job.tenant.equals(tenant) && !job.gone(clock.instant()))
                    .map(job -> job.read(Job::record))
                    .sorted(NEWEST_FIRST)
                    .toList();
            int from = 0;
            if (after != null) {
                from = all.size();
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).id().equals(after)) {
                        from = i + 1;
                        break;
                    }
                }
            }
            List<JobRecord> page = all.subList(from, Math.min(all.size(), from + limit));
            String next = from + limit < all.size() && !page.isEmpty() ? page.get(page.size() - 1).id() : null;
            return new JobPage(List.copyOf(page), next);
        });
    }

    /** Newest first; the id breaks ties so that a cursor is stable. */
    static final Comparator<JobRecord> NEWEST_FIRST = Comparator.comparing(JobRecord::createdAt).reversed()
            .thenComparing(JobRecord::id, Comparator.reverseOrder());

    @Override
    public Mono<Void> published(String tenant, String id) {
        return with(tenant, id, job -> job.published = true).then();
    }

    @Override
    public Mono<JobRequest> request(RequestRef ref) {
        return with(ref.tenant(), ref.job(), job -> job.has(ref.index()) ? job.requests.get(ref.index()) : null);
    }

    @Override
    public Mono<Claim> claim(RequestRef ref, String owner, Instant now, Duration lease) {
        return with(ref.tenant(), ref.job(), job -> job.claim(ref.index(), owner, ms(now), ms(lease)))
                .defaultIfEmpty(Claim.of(Claim.Kind.GONE));
    }

    @Override
    public Mono<Boolean> renew(RequestRef ref, String owner, Instant now, Duration lease) {
        return with(ref.tenant(), ref.job(), job -> job.holds(ref.index(), owner, ms(now), ms(lease))).defaultIfEmpty(false);
    }

    @Override
    public Mono<Recorded> record(RequestRef ref, String owner, long segment, byte[] answer, Instant now,
                                 Duration lease) {
        return with(ref.tenant(), ref.job(), job -> {
            if (!job.holds(ref.index(), owner, ms(now), ms(lease))) {
                return Recorded.LOST;
            }
            job.work(ref.index()).answers.put(segment, answer.clone());
            return job.status.stopping() ? Recorded.STOPPING : Recorded.KEPT;
        }).defaultIfEmpty(Recorded.LOST);
    }

    @Override
    public Mono<List<byte[]>> answers(RequestRef ref) {
        return with(ref.tenant(), ref.job(), job -> List.copyOf(job.work(ref.index()).answers.values()))
                .defaultIfEmpty(List.of());
    }

    @Override
    public Mono<Boolean> restart(RequestRef ref, String owner) {
        return with(ref.tenant(), ref.job(), job -> {
            Work work = job.work(ref.index());
            if (work.finished || !owner.equals(work.owner) || work.restarted) {
                return false;
            }
            work.restarted = true;
            work.answers.clear();
            return true;
        }).defaultIfEmpty(false);
    }

    @Override
    public Mono<Boolean> release(RequestRef ref, String owner, String lastError) {
        return with(ref.tenant(), ref.job(), job -> {
            Work work = job.work(ref.index());
            if (work.finished || !owner.equals(work.owner)) {
                return false;
            }
            work.owner = null;
            work.leaseUntil = null;
            work.lastError = lastError;
            return true;
        }).defaultIfEmpty(false);
    }

    @Override
    public Mono<String> lastError(RequestRef ref) {
        return with(ref.tenant(), ref.job(), job -> job.work(ref.index()).lastError);
    }

    @Override
    public Mono<Boolean> finish(RequestRef ref, RequestOutcome outcome, Instant now) {
        return with(ref.tenant(), ref.job(), job -> job.finish(ref.index(), outcome, ms(now))).defaultIfEmpty(false);
    }

    @Override
    public Mono<JobRecord> stop(String tenant, String id, Stop stop, Instant at, CancelledLine cancelledLine) {
        Instant now = ms(at);
        return with(tenant, id, job -> {
            if (!job.status.finished() && job.status != JobStatus.CANCELLING) {
                job.status = stop == Stop.CANCEL ? JobStatus.CANCELLING : JobStatus.EXPIRED;
                if (stop == Stop.EXPIRE) {
                    job.expires = now.plus(job.retention);
                }
                for (int i = 0; i < job.requests.size(); i++) {
                    Work work = job.work(i);
                    if (!work.finished && work.owner == null) {
                        job.finish(i, new RequestOutcome(RequestOutcome.Kind.CANCELLED,
                                cancelledLine.of(job.requests.get(i).customId(), stop)), now);
                    }
                }
                job.settle(now);
            }
            return job.record();
        });
    }

    @Override
    public Mono<Boolean> delete(String tenant, String id) {
        return Mono.fromSupplier(() -> {
            Job removed = jobs.remove(key(tenant, id));
            if (removed != null && removed.idempotencyKey != null) {
                idempotencyKeys.remove(key(tenant, removed.idempotencyKey), id);
            }
            return removed != null && !removed.gone(clock.instant());
        });
    }

    @Override
    public Flux<String> results(String tenant, String id) {
        return with(tenant, id, job -> List.copyOf(job.results)).flatMapIterable(Function.identity());
    }

    @Override
    public Flux<JobRecord> active() {
        return Flux.defer(() -> {
            Instant now = clock.instant();
            jobs.values().removeIf(job -> job.gone(now));
            forgetIdempotencyKeysOfGoneJobs();
            return Flux.fromIterable(jobs.values().stream()
                    .map(job -> job.read(Job::record))
                    .filter(record -> record.completedAt() == null)
                    .toList());
        });
    }

    @Override
    public Mono<List<Integer>> orphans(String tenant, String id, Instant at, Duration idleFor) {
        Instant now = ms(at);
        Duration idle = ms(idleFor);
        return with(tenant, id, job -> {
            List<Integer> found = new ArrayList<>();
            if (job.completedAt != null) {
                return found;
            }
            for (int i = 0; i < job.requests.size(); i++) {
                Work work = job.work(i);
                if (work.finished || (work.orphanedAt != null && work.orphanedAt.plus(idle).isAfter(now))) {
                    continue;
                }
                boolean unpublished = !job.published && work.owner == null && job.created.plus(idle).isBefore(now);
                boolean abandoned = work.owner != null && work.leaseUntil.plus(idle).isBefore(now);
                if (unpublished || abandoned) {
                    work.orphanedAt = now;
                    found.add(i);
                }
            }
            return found;
        }).defaultIfEmpty(List.of());
    }

    /** Idempotency keys whose job is gone leave too (under the sweep of {@link #active()}), so the map does not grow for ever. */
    private void forgetIdempotencyKeysOfGoneJobs() {
        idempotencyKeys.entrySet().removeIf(entry -> {
            String tenant = entry.getKey().substring(0, entry.getKey().indexOf('\u0000'));
            return !jobs.containsKey(key(tenant, entry.getValue()));
        });
    }

    /** Idempotency keys held now (for tests). */
    int idempotencyKeys() {
        return idempotencyKeys.size();
    }

    private <T> Mono<T> with(String tenant, String id, Function<Job, T> action) {
        return Mono.fromSupplier(() -> Optional.ofNullable(live(tenant, id)).map(job -> job.read(action)).orElse(null));
    }

    private Job live(String tenant, String id) {
        Job job = jobs.get(key(tenant, id));
        if (job == null) {
            return null;
        }
        if (job.gone(clock.instant())) {
            jobs.remove(key(tenant, id), job);
            return null;
        }
        return job;
    }

    private static String key(String tenant, String id) {
        return tenant + '\u0000' + id;
    }

    private static Instant ms(Instant instant) {
        return Instant.ofEpochMilli(instant.toEpochMilli());
    }

    private static Duration ms(Duration duration) {
        return Duration.ofMillis(duration.toMillis());
    }

    /** One request's work: its lease, recorded answers, last error, result. */
    private static final class Work {
        String owner;
        Instant leaseUntil;
        int attempts;
        String lastError;
        Instant orphanedAt;
        boolean finished;
        boolean restarted;
        final TreeMap<Long, byte[]> answers = new TreeMap<>();
    }

    /** A job and its requests; every access holds its lock ({@link #read}). */
    private static final class Job {
        final String tenant;
        final String id;
        final Instant created;
        final Duration retention;
        final String metadata;
        final String digest;
        final String idempotencyKey;
        final List<JobRequest> requests;
        final Map<Integer, Work> work = new HashMap<>();
        final List<String> results = new ArrayList<>();
        JobStatus status = JobStatus.QUEUED;
        boolean published;
        int completed;
        int failed;
        int cancelled;
        Instant started;
        Instant completedAt;
        Instant expires;

        Job(NewJob job) {
            this.tenant = job.tenant();
            this.id = job.id();
            this.created = ms(job.createdAt());
            this.retention = ms(job.retention());
            this.metadata = job.metadata();
            this.digest = job.bodyDigest();
            this.idempotencyKey = job.idempotencyKey();
            this.requests = job.requests();
            this.expires = created.plus(retention);
        }

        synchronized <T> T read(Function<Job, T> action) {
            return action.apply(this);
        }

        /**
         * Finished, a job is gone at {@code expiresAt}; unfinished, it stays for the gateway to
         * expire it ({@link Stop#EXPIRE}), and if none does, it is gone one retention later.
         */
        boolean gone(Instant now) {
            synchronized (this) {
                return !(status.finished() ? expires : expires.plus(retention)).isAfter(now);
            }
        }

        boolean has(int index) {
            return index >= 0 && index < requests.size();
        }

        Work work(int index) {
            return work.computeIfAbsent(index, i -> new Work());
        }

        JobRecord record() {
            return new JobRecord(tenant, id, status, new JobCounts(requests.size(), completed, failed, cancelled),
                    created, started, completedAt, expires, metadata, digest, published);
        }

        Claim claim(int index, String owner, Instant now, Duration lease) {
            if (!has(index)) {
                return Claim.of(Claim.Kind.GONE);
            }
            Work work = work(index);
            if (work.finished) {
                return Claim.of(Claim.Kind.FINISHED);
            }
            if (work.owner != null && !work.owner.equals(owner) && work.leaseUntil.isAfter(now)) {
                return new Claim(Claim.Kind.HELD, 0, work.leaseUntil);
            }
            if (status.stopping()) {
                return Claim.of(Claim.Kind.STOPPED);
            }
            work.owner = owner;
            work.leaseUntil = now.plus(lease);
            work.attempts++;
            if (status == JobStatus.QUEUED) {
                status = JobStatus.IN_PROGRESS;
                started = now;
            }
            return new Claim(Claim.Kind.CLAIMED, work.attempts, null);
        }

        boolean holds(int index, String owner, Instant now, Duration lease) {
            Work work = work(index);
            if (work.finished || !owner.equals(work.owner)) {
                return false;
            }
            work.leaseUntil = now.plus(lease);
            return true;
        }

        boolean finish(int index, RequestOutcome outcome, Instant now) {
            if (!has(index) || work(index).finished) {
                return false;
            }
            Work work = work(index);
            work.finished = true;
            work.owner = null;
            work.leaseUntil = null;
            work.answers.clear();
            results.add(outcome.line());
            switch (outcome.kind()) {
                case COMPLETED -> completed++;
                case FAILED -> failed++;
                case CANCELLED -> cancelled++;
            }
            settle(now);
            return true;
        }

        /** Finishes the job when every request has its result. */
        void settle(Instant now) {
            if (completed + failed + cancelled < requests.size() || completedAt != null) {
                return;
            }
            status = switch (status) {
                case CANCELLING -> JobStatus.CANCELLED;
                case EXPIRED -> JobStatus.EXPIRED;
                default -> failed == requests.size() ? JobStatus.FAILED : JobStatus.COMPLETED;
            };
            completedAt = now;
            expires = now.plus(retention);
        }
    }
}
