package io.baton.gateway.jobs.store.redis;

import static io.baton.common.redis.RedisReplies.asList;
import static io.baton.common.redis.RedisReplies.pairs;
import static io.baton.common.redis.RedisReplies.str;
import static io.baton.common.redis.RedisReplies.text;

import io.baton.common.redis.RedisReplies;
import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisScript;
import io.baton.gateway.GatewayException;
import io.baton.gateway.jobs.store.Claim;
import io.baton.gateway.jobs.store.JobCounts;
import io.baton.gateway.jobs.store.JobPage;
import io.baton.gateway.jobs.store.JobRecord;
import io.baton.gateway.jobs.store.JobRequest;
import io.baton.gateway.jobs.store.JobStatus;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.NewJob;
import io.baton.gateway.jobs.store.Recorded;
import io.baton.gateway.jobs.store.RequestOutcome;
import io.baton.gateway.jobs.store.RequestRef;
import io.baton.protocol.Ids;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job store on Redis (standalone, Sentinel or Cluster) over the shared {@link RedisConnection}.
 * The key layout ({@link JobKeys}), the scripts and the order of the writes that cross slots are
 * described in this package's {@code package-info.java}. Every change to a job, its requests or
 * their work is one Lua script on the job's keys (resources {@code redis/jobs/*.lua}, each behind
 * {@code library.lua}), so it is atomic whatever the number of gateways; reads are plain commands.
 *
 * <p>Cost: a claim, renew, record, release or finish is O(1) (one script, a few hash fields).
 * {@link #create} writes every request; {@link #stop} reads every request's custom id and done
 * flag and its script walks the requests not finished; {@link #orphans} walks every request;
 * {@link #delete} names every request's answers key: O(requests) each, tens of milliseconds of
 * Redis's time for 10,000 requests (figures in the package description), during which Redis serves
 * nothing else. {@link #list} reads one job hash per listed job; {@link #active} one per active job.
 *
 * <p>Times are epoch milliseconds. Failures of Redis or of the way to it surface as
 * {@link JobStoreUnavailableException}. Ids that cannot be a key's ({@link JobKeys#valid}) name no
 * job: reads answer nothing, and {@link #create} refuses them.
 */
public final class RedisJobStore implements JobStore {

    private static final RedisScript LIBRARY = RedisScript.load("jobs/library");
    private static final RedisScript TENANT_LIBRARY = RedisScript.load("jobs/tenant-library");
    private static final RedisScript CREATE = jobScript("create");
    private static final RedisScript PUBLISHED = jobScript("published");
    private static final RedisScript CLAIM = jobScript("claim");
    private static final RedisScript RENEW = jobScript("renew");
    private static final RedisScript RECORD = jobScript("record");
    private static final RedisScript RESTART = jobScript("restart");
    private static final RedisScript RELEASE = jobScript("release");
    private static final RedisScript FINISH = jobScript("finish");
    private static final RedisScript STOP = jobScript("stop");
    private static final RedisScript DELETE = jobScript("delete");
    private static final RedisScript ORPHANS = jobScript("orphans");
    private static final RedisScript TENANT_SUBMIT = RedisScript.load("jobs/tenant-submit").after(TENANT_LIBRARY);
    private static final RedisScript TENANT_EXTEND = RedisScript.load("jobs/tenant-extend").after(TENANT_LIBRARY);
    private static final RedisScript TENANT_FORGET = RedisScript.load("jobs/tenant-forget");

    /** Result lines read per command. */
    static final int RESULTS_PAGE = 1000;
    /** Job hashes read at once (pipelined) by list and active. */
    private static final int READS_IN_FLIGHT = 16;
    /** How often a submission retries an idempotency key that names a job gone meanwhile. */
    private static final int SUBMIT_ATTEMPTS = 8;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JobPage EMPTY_PAGE = new JobPage(List.of(), null);

    private final RedisConnection redis;

    /** A store on a connection that the caller owns and closes. */
    public RedisJobStore(RedisConnection redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    private static RedisScript jobScript(String name) {
        return RedisScript.load("jobs/" + name).after(LIBRARY);
    }

    @Override
    public String toString() {
        return "redis (" + redis.settings().describe() + ")";
    }

    // ---- create ----

    /**
     * Writes in this order, each step only after the one before succeeded: the job's keys
     * (create.lua), its member of the active set, then its tenant index entry and idempotency key
     * (tenant-submit.lua). See the package description for what a crash between them leaves.
     */
    @Override
    public Mono<Submitted> create(NewJob job) {
        return Mono.defer(() -> {
            JobKeys keys = JobKeys.of(job.tenant(), job.id());
            String idempotency = job.idempotencyKey() == null ? null : JobKeys.idempotency(job.tenant(), job.idempotencyKey());
            return earlier(job.tenant(), idempotency).flatMap(earlier -> earlier.job() != null
                    ? Mono.just(new Submitted(earlier.job(), false))
                    : store(job, keys, idempotency)
                            .then(command(c -> c.zadd(JobKeys.ACTIVE, (double) millis(job.createdAt()),
                                    text(JobKeys.activeMember(job.tenant(), job.id())))))
                            .then(submit(job, idempotency, earlier.goneId(), SUBMIT_ATTEMPTS)));
        }).onErrorMap(RedisJobStore::unavailable);
    }

    /** The live job an idempotency key names, or the id of the gone job it still names, or neither. */
    private Mono<Earlier> earlier(String tenant, String idempotency) {
        if (idempotency == null) {
            return Mono.just(Earlier.NONE);
        }
        return command(c -> c.get(idempotency)).map(RedisReplies::str)
                .flatMap(id -> find(tenant, id).map(found -> new Earlier(found, ""))
                        .defaultIfEmpty(new Earlier(null, id)))
                .defaultIfEmpty(Earlier.NONE);
    }

    private Mono<Void> store(NewJob job, JobKeys keys, String idempotency) {
        List<byte[]> fields = new ArrayList<>();
        field(fields, "tenant", job.tenant());
        field(fields, "id", job.id());
        field(fields, "status", JobStatus.QUEUED.wire());
        field(fields, "total", Integer.toString(job.requests().size()));
        field(fields, "completed", "0");
        field(fields, "failed", "0");
        field(fields, "cancelled", "0");
        field(fields, "createdAt", Long.toString(millis(job.createdAt())));
        field(fields, "expiresAt", Long.toString(millis(job.createdAt()) + job.retention().toMillis()));
        field(fields, "retention", Long.toString(job.retention().toMillis()));
        field(fields, "metadata", job.metadata());
        field(fields, "digest", job.bodyDigest());
        field(fields, "published", "0");
        field(fields, "idem", idempotency);
        List<byte[]> args = new ArrayList<>(2 + fields.size() + 2 * job.requests().size());
        args.add(num(job.requests().size()));
        args.add(num(fields.size()));
        args.addAll(fields);
        for (JobRequest request : job.requests()) {
            args.add(JSON.writeValueAsBytes(request));
        }
        for (JobRequest request : job.requests()) {
            args.add(JSON.writeValueAsBytes(request.customId()));
        }
        return this.<Long>run(CREATE, ScriptOutputType.INTEGER, keys.with(), args.toArray(byte[][]::new))
                .flatMap(created -> created == 1 ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException("job " + job.id() + " of " + job.tenant() + " exists already")));
    }

    private static void field(List<byte[]> fields, String name, String value) {
        if (value != null) {
            fields.add(text(name));
            fields.add(text(value));
        }
    }

    /**
     * Indexes the job and takes its idempotency key, unless another job of the tenant holds the
     * key: then this job is deleted again and that one answered, or, when that one is gone, the key
     * is taken over from it.
     */
    private Mono<Submitted> submit(NewJob job, String idempotency, String gone, int attempts) {
        long createdAt = millis(job.createdAt());
        long keysExpireAt = createdAt + 2 * job.retention().toMillis();
        String[] keys = idempotency == null ? new String[] {JobKeys.index(job.tenant())}
                : new String[] {JobKeys.index(job.tenant()), idempotency};
        return this.<byte[]>run(TENANT_SUBMIT, ScriptOutputType.VALUE, keys, text(job.id()), num(createdAt),
                num(keysExpireAt), text(gone)).map(RedisReplies::str).flatMap(holder -> {
                    if (holder.equals(job.id())) {
                        return Mono.just(new Submitted(created(job), true));
                    }
                    return find(job.tenant(), holder)
                            .flatMap(winner -> discard(job).thenReturn(new Submitted(winner, false)))
                            .switchIfEmpty(Mono.defer(() -> attempts > 1 ? submit(job, idempotency, holder, attempts - 1)
                                    : Mono.error(new IllegalStateException("idempotency key of job " + job.id()
                                            + " kept naming other jobs"))));
                });
    }

    /** Deletes a job that lost its idempotency key to another, before anyone saw it. */
    private Mono<Void> discard(NewJob job) {
        return delete(job.tenant(), job.id()).then();
    }

    private static JobRecord created(NewJob job) {
        long createdAt = millis(job.createdAt());
        return new JobRecord(job.tenant(), job.id(), JobStatus.QUEUED, new JobCounts(job.requests().size(), 0, 0, 0),
                Instant.ofEpochMilli(createdAt), null, null, Instant.ofEpochMilli(createdAt + job.retention().toMillis()),
                job.metadata(), job.bodyDigest(), false);
    }

    // ---- reads ----

    @Override
    public Mono<JobRecord> find(String tenant, String id) {
        if (!JobKeys.valid(tenant, id)) {
            return Mono.empty();
        }
        return hash(JobKeys.of(tenant, id).job()).filter(fields -> !fields.isEmpty()).map(RedisJobStore::record)
                .onErrorMap(RedisJobStore::unavailable);
    }

    /**
     * Walks the tenant's index newest first from the cursor, reading each entry's job: an entry
     * whose job is gone (expired, or deleted by a gateway that crashed before it removed the entry)
     * is skipped, and removed once the page is made. The walk goes by (createdAt, id), so entries
     * added or removed meanwhile do not move it.
     */
    @Override
    public Mono<JobPage> list(String tenant, String after, int limit) {
        return Mono.defer(() -> {
            if (!Ids.isTenant(tenant) || limit < 1) {
                return Mono.just(EMPTY_PAGE);
            }
            String index = JobKeys.index(tenant);
            if (after == null) {
                return page(tenant, null, null, 0, limit, new ArrayList<>(), new ArrayList<>());
            }
            if (!JobKeys.valid(tenant, after)) {
                return Mono.just(EMPTY_PAGE);
            }
            return redis.commands().flatMap(c -> Mono.zip(
                            c.zscore(index, text(after)).map(Optional::of).defaultIfEmpty(Optional.empty()),
                            c.exists(JobKeys.of(tenant, after).job())))
                    .flatMap(cursor -> cursor.getT1().isEmpty() || cursor.getT2() == 0 ? Mono.just(EMPTY_PAGE)
                            : page(tenant, cursor.getT1().get(), after, 0, limit, new ArrayList<>(), new ArrayList<>()));
        }).onErrorMap(RedisJobStore::unavailable);
    }

    /**
     * One step of a listing: the entries after ({@code score}, {@code member}) in newest-first order
     * (null: from the newest), skipping {@code offset} entries of the same position first (a run of
     * more ties than one step holds).
     */
    private Mono<JobPage> page(String tenant, Double score, String member, long offset, int limit,
                               List<JobRecord> taken, List<String> stale) {
        String index = JobKeys.index(tenant);
        int want = Math.max(10, limit + 1 - taken.size());
        Range<Double> range = score == null ? Range.unbounded()
                : Range.from(Range.Boundary.unbounded(), Range.Boundary.including(score));
        return redis.commands().flatMap(c -> c.zrevrangebyscoreWithScores(index, range, Limit.create(offset, want)).collectList())
                .flatMap(batch -> {
                    List<ScoredValue<byte[]>> fresh = batch.stream()
                            .filter(entry -> score == null || entry.getScore() < score
                                    || str(entry.getValue()).compareTo(member) < 0)
                            .toList();
                    boolean end = batch.size() < want;
                    if (fresh.isEmpty()) {
                        return end ? pageOf(tenant, limit, taken, stale)
                                : page(tenant, score, member, offset + batch.size(), limit, taken, stale);
                    }
                    return Flux.fromIterable(fresh).map(entry -> str(entry.getValue()))
                            .flatMapSequential(id -> hash(JobKeys.of(tenant, id).job())
                                    .map(fields -> fields.isEmpty() ? Optional.<JobRecord>empty() : Optional.of(record(fields)))
                                    .doOnNext(found -> {
                                        if (found.isEmpty()) {
                                            stale.add(id);
                                        }
                                    }), READS_IN_FLIGHT)
                            .filter(Optional::isPresent).map(Optional::get)
                            .collectList()
                            .flatMap(live -> {
                                taken.addAll(live);
                                if (taken.size() > limit || end) {
                                    return pageOf(tenant, limit, taken, stale);
                                }
                                ScoredValue<byte[]> last = fresh.get(fresh.size() - 1);
                                return page(tenant, last.getScore(), str(last.getValue()), 0, limit, taken, stale);
                            });
                });
    }

    private Mono<JobPage> pageOf(String tenant, int limit, List<JobRecord> taken, List<String> stale) {
        List<JobRecord> jobs = List.copyOf(taken.subList(0, Math.min(limit, taken.size())));
        JobPage page = new JobPage(jobs, taken.size() > limit ? jobs.get(jobs.size() - 1).id() : null);
        if (stale.isEmpty()) {
            return Mono.just(page);
        }
        byte[][] members = stale.stream().map(RedisReplies::text).toArray(byte[][]::new);
        return command(c -> c.zrem(JobKeys.index(tenant), members)).thenReturn(page);
    }

    @Override
    public Mono<Void> published(String tenant, String id) {
        if (!JobKeys.valid(tenant, id)) {
            return Mono.empty();
        }
        return run(PUBLISHED, ScriptOutputType.INTEGER, JobKeys.of(tenant, id).with()).then()
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<JobRequest> request(RequestRef ref) {
        if (!valid(ref)) {
            return Mono.empty();
        }
        return command(c -> c.hget(keys(ref).requests(), Integer.toString(ref.index())))
                .map(json -> JSON.readValue(json, JobRequest.class))
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<List<byte[]>> answers(RequestRef ref) {
        if (!valid(ref)) {
            return Mono.just(List.of());
        }
        return hash(keys(ref).answers(ref.index())).map(answers -> answers.entrySet().stream()
                        .sorted(Comparator.comparingLong(entry -> Long.parseLong(entry.getKey())))
                        .map(Map.Entry::getValue)
                        .toList())
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<String> lastError(RequestRef ref) {
        if (!valid(ref)) {
            return Mono.empty();
        }
        return command(c -> c.hget(keys(ref).work(), ref.index() + ":error")).map(RedisReplies::str)
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Flux<String> results(String tenant, String id) {
        if (!JobKeys.valid(tenant, id)) {
            return Flux.empty();
        }
        return results(JobKeys.of(tenant, id).results(), 0).onErrorMap(RedisJobStore::unavailable);
    }

    /** The lines from {@code start} on, a page per command: lines are only appended, so pages do not overlap. */
    private Flux<String> results(String key, long start) {
        return redis.commands().flatMap(c -> c.lrange(key, start, start + RESULTS_PAGE - 1).collectList())
                .flatMapMany(lines -> {
                    Flux<String> these = Flux.fromIterable(lines).map(RedisReplies::str);
                    return lines.size() < RESULTS_PAGE ? these : these.concatWith(Flux.defer(() -> results(key, start + RESULTS_PAGE)));
                });
    }

    /**
     * Reads the job of every member of the active set; a member whose job is gone or finished (its
     * gateway crashed before it removed the member) is removed.
     */
    @Override
    public Flux<JobRecord> active() {
        return redis.commands().flatMapMany(c -> c.zrange(JobKeys.ACTIVE, 0, -1))
                .map(RedisReplies::str)
                .flatMapSequential(member -> {
                    int colon = member.indexOf(':');
                    String tenant = colon < 0 ? "" : member.substring(0, colon);
                    String id = colon < 0 ? "" : member.substring(colon + 1);
                    Mono<Map<String, byte[]>> fields = JobKeys.valid(tenant, id) ? hash(JobKeys.of(tenant, id).job())
                            : Mono.just(Map.of());
                    return fields.flatMap(found -> {
                        if (found.isEmpty() || found.containsKey("completedAt")) {
                            return command(cc -> cc.zrem(JobKeys.ACTIVE, text(member))).then(Mono.<JobRecord>empty());
                        }
                        return Mono.just(record(found));
                    });
                }, READS_IN_FLIGHT)
                .onErrorMap(RedisJobStore::unavailable);
    }

    // ---- work on a request ----

    @Override
    public Mono<Claim> claim(RequestRef ref, String owner, Instant now, Duration lease) {
        if (!valid(ref)) {
            return Mono.just(Claim.of(Claim.Kind.GONE));
        }
        return this.<List<Object>>run(CLAIM, ScriptOutputType.MULTI, keys(ref).with(), num(ref.index()), text(owner),
                        num(millis(now)), num(lease.toMillis()))
                .map(reply -> {
                    Claim.Kind kind = Claim.Kind.valueOf(str(reply.get(0)).toUpperCase(Locale.ROOT));
                    return switch (kind) {
                        case CLAIMED -> new Claim(kind, Math.toIntExact((Long) reply.get(1)), null);
                        case HELD -> new Claim(kind, 0, Instant.ofEpochMilli((Long) reply.get(2)));
                        default -> Claim.of(kind);
                    };
                })
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<Boolean> renew(RequestRef ref, String owner, Instant now, Duration lease) {
        if (!valid(ref)) {
            return Mono.just(false);
        }
        return this.<Long>run(RENEW, ScriptOutputType.INTEGER, keys(ref).with(), num(ref.index()), text(owner),
                        num(millis(now)), num(lease.toMillis()))
                .map(renewed -> renewed == 1)
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<Recorded> record(RequestRef ref, String owner, long segment, byte[] answer, Instant now, Duration lease) {
        if (!valid(ref)) {
            return Mono.just(Recorded.LOST);
        }
        JobKeys keys = keys(ref);
        return this.<Long>run(RECORD, ScriptOutputType.INTEGER, keys.with(keys.answers(ref.index())), num(ref.index()),
                        text(owner), num(millis(now)), num(lease.toMillis()), num(segment), answer)
                .map(recorded -> switch (recorded.intValue()) {
                    case 1 -> Recorded.KEPT;
                    case 2 -> Recorded.STOPPING;
                    default -> Recorded.LOST;
                })
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<Boolean> restart(RequestRef ref, String owner) {
        if (!valid(ref)) {
            return Mono.just(false);
        }
        JobKeys keys = keys(ref);
        return this.<Long>run(RESTART, ScriptOutputType.INTEGER, keys.with(keys.answers(ref.index())), num(ref.index()),
                        text(owner))
                .map(restarted -> restarted == 1)
                .onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<Boolean> release(RequestRef ref, String owner, String lastError) {
        if (!valid(ref)) {
            return Mono.just(false);
        }
        return this.<Long>run(RELEASE, ScriptOutputType.INTEGER, keys(ref).with(), num(ref.index()), text(owner),
                        text(lastError == null ? "0" : "1"), text(lastError == null ? "" : lastError))
                .map(released -> released == 1)
                .onErrorMap(RedisJobStore::unavailable);
    }

    /**
     * The result goes in with finish.lua; when it was the job's last, the job's member of the active
     * set is removed and its index entry and idempotency key are kept as long as its keys.
     */
    @Override
    public Mono<Boolean> finish(RequestRef ref, RequestOutcome outcome, Instant now) {
        if (!valid(ref)) {
            return Mono.just(false);
        }
        JobKeys keys = keys(ref);
        return this.<List<Object>>run(FINISH, ScriptOutputType.MULTI, keys.with(keys.answers(ref.index())), num(ref.index()),
                        num(millis(now)), text(outcome.kind().name().toLowerCase(Locale.ROOT)), text(outcome.line()))
                .flatMap(reply -> {
                    if ((Long) reply.get(0) != 1) {
                        return Mono.just(false);
                    }
                    if ((Long) reply.get(1) != 1) {
                        return Mono.just(true);
                    }
                    return finished(ref.tenant(), ref.job(), (Long) reply.get(2), str(reply.get(3))).thenReturn(true);
                })
                .onErrorMap(RedisJobStore::unavailable);
    }

    /** After a job finished: out of the active set; its index entry and idempotency key kept as long as it. */
    private Mono<Void> finished(String tenant, String id, long keysExpireAt, String idempotency) {
        return command(c -> c.zrem(JobKeys.ACTIVE, text(JobKeys.activeMember(tenant, id))))
                .then(extend(tenant, id, keysExpireAt, idempotency));
    }

    private Mono<Void> extend(String tenant, String id, long keysExpireAt, String idempotency) {
        String[] keys = idempotency == null || idempotency.isEmpty() ? new String[] {JobKeys.index(tenant)}
                : new String[] {JobKeys.index(tenant), idempotency};
        return run(TENANT_EXTEND, ScriptOutputType.INTEGER, keys, text(id), num(keysExpireAt)).then();
    }

    // ---- stop, delete, orphans ----

    /**
     * Reads the job's status; unless it is finished or cancelling, reads every request's custom id
     * and whether it has its result, makes the cancelled line of each one without, and hands them
     * to stop.lua, which decides on the job as it finds it (a request finished meanwhile keeps its
     * result; one claimed meanwhile runs on).
     */
    @Override
    public Mono<JobRecord> stop(String tenant, String id, Stop stop, Instant now, CancelledLine cancelledLine) {
        if (!JobKeys.valid(tenant, id)) {
            return Mono.empty();
        }
        JobKeys keys = JobKeys.of(tenant, id);
        return hash(keys.job()).filter(fields -> !fields.isEmpty()).flatMap(fields -> {
            JobRecord found = record(fields);
            if (found.status().finished() || found.status() == JobStatus.CANCELLING) {
                return Mono.just(found);
            }
            int total = found.counts().total();
            String[] done = new String[total];
            for (int i = 0; i < total; i++) {
                done[i] = i + ":done";
            }
            return redis.commands().flatMap(c -> Mono.zip(c.lrange(keys.ids(), 0, -1).collectList(),
                            total == 0 ? Mono.just(List.<KeyValue<String, byte[]>>of()) : c.hmget(keys.work(), done).collectList()))
                    .flatMap(read -> {
                        List<byte[]> customIds = read.getT1();
                        List<String> more = new ArrayList<>();
                        List<byte[]> args = new ArrayList<>();
                        args.add(num(millis(now)));
                        args.add(text(stop.name().toLowerCase(Locale.ROOT)));
                        for (int i = 0; i < total && i < customIds.size(); i++) {
                            if (!read.getT2().get(i).hasValue()) {
                                more.add(keys.answers(i));
                                args.add(num(i));
                                args.add(text(cancelledLine.of(JSON.readValue(customIds.get(i), String.class), stop)));
                            }
                        }
                        return this.<List<Object>>run(STOP, ScriptOutputType.MULTI, keys.with(more.toArray(String[]::new)),
                                args.toArray(byte[][]::new));
                    })
                    .flatMap(reply -> {
                        if ((Long) reply.get(0) == -1) {
                            return Mono.empty();
                        }
                        Map<String, byte[]> after = pairs(asList(reply.get(3)));
                        JobRecord stopped = record(after);
                        if ((Long) reply.get(0) == 0) {
                            return Mono.just(stopped);
                        }
                        String idempotency = after.containsKey("idem") ? str(after.get("idem")) : null;
                        Mono<Void> follow = (Long) reply.get(1) == 1
                                ? finished(tenant, id, (Long) reply.get(2), idempotency)
                                : extend(tenant, id, (Long) reply.get(2), idempotency);
                        return follow.thenReturn(stopped);
                    });
        }).onErrorMap(RedisJobStore::unavailable);
    }

    /**
     * Deletes the job's keys first (delete.lua), then its member of the active set, then its index
     * entry and idempotency key (tenant-forget.lua): a crash in between leaves only entries that
     * name a job that is gone, which readers skip.
     */
    @Override
    public Mono<Boolean> delete(String tenant, String id) {
        if (!JobKeys.valid(tenant, id)) {
            return Mono.just(false);
        }
        JobKeys keys = JobKeys.of(tenant, id);
        return command(c -> c.hget(keys.job(), "total")).map(total -> Integer.parseInt(str(total))).flatMap(total -> {
            String[] answers = new String[total];
            for (int i = 0; i < total; i++) {
                answers[i] = keys.answers(i);
            }
            return this.<List<Object>>run(DELETE, ScriptOutputType.MULTI, keys.with(answers));
        }).flatMap(reply -> {
            if ((Long) reply.get(0) != 1) {
                return Mono.just(false);
            }
            String idempotency = str(reply.get(1));
            String[] tenantKeys = idempotency.isEmpty() ? new String[] {JobKeys.index(tenant)}
                    : new String[] {JobKeys.index(tenant), idempotency};
            return command(c -> c.zrem(JobKeys.ACTIVE, text(JobKeys.activeMember(tenant, id))))
                    .then(run(TENANT_FORGET, ScriptOutputType.INTEGER, tenantKeys, text(id)))
                    .thenReturn(true);
        }).defaultIfEmpty(false).onErrorMap(RedisJobStore::unavailable);
    }

    @Override
    public Mono<List<Integer>> orphans(String tenant, String id, Instant now, Duration idle) {
        if (!JobKeys.valid(tenant, id)) {
            return Mono.just(List.of());
        }
        return this.<List<Object>>run(ORPHANS, ScriptOutputType.MULTI, JobKeys.of(tenant, id).with(), num(millis(now)),
                        num(idle.toMillis()))
                .map(found -> found.stream().map(index -> ((Long) index).intValue()).toList())
                .onErrorMap(RedisJobStore::unavailable);
    }

    // ---- helpers ----

    private <T> Mono<T> run(RedisScript script, ScriptOutputType type, String[] keys, byte[]... args) {
        return redis.run(script, type, keys, args);
    }

    private <T> Mono<T> command(Function<RedisClusterReactiveCommands<String, byte[]>, Mono<T>> command) {
        return redis.commands().flatMap(command);
    }

    private Mono<Map<String, byte[]>> hash(String key) {
        return redis.commands().flatMap(c -> c.hgetall(key).collectMap(KeyValue::getKey, KeyValue::getValue));
    }

    private static boolean valid(RequestRef ref) {
        return JobKeys.valid(ref.tenant(), ref.job()) && ref.index() >= 0;
    }

    private static JobKeys keys(RequestRef ref) {
        return JobKeys.of(ref.tenant(), ref.job());
    }

    /** The job as stored in its hash. */
    static JobRecord record(Map<String, byte[]> fields) {
        return new JobRecord(string(fields, "tenant"), string(fields, "id"), JobStatus.of(string(fields, "status")),
                new JobCounts(count(fields, "total"), count(fields, "completed"), count(fields, "failed"),
                        count(fields, "cancelled")),
                instant(fields, "createdAt"), instant(fields, "startedAt"), instant(fields, "completedAt"),
                instant(fields, "expiresAt"), string(fields, "metadata"), string(fields, "digest"),
                "1".equals(string(fields, "published")));
    }

    private static String string(Map<String, byte[]> fields, String name) {
        byte[] value = fields.get(name);
        return value == null ? null : str(value);
    }

    private static int count(Map<String, byte[]> fields, String name) {
        return Integer.parseInt(string(fields, name));
    }

    private static Instant instant(Map<String, byte[]> fields, String name) {
        String value = string(fields, name);
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    private static byte[] num(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }


    /** Maps failures of Redis or of the way to it to {@link JobStoreUnavailableException}. */
    static Throwable unavailable(Throwable failure) {
        if (failure instanceof GatewayException) {
            return failure;
        }
        if (failure instanceof RedisException || failure instanceof IOException || failure instanceof TimeoutException) {
            return new JobStoreUnavailableException("Redis is unavailable: " + RedisConnection.reason(failure), failure);
        }
        return failure;
    }

    /** What an idempotency key names: a live job, or the id of a gone one ({@code ""}: nothing). */
    private record Earlier(JobRecord job, String goneId) {
        static final Earlier NONE = new Earlier(null, "");
    }
}
