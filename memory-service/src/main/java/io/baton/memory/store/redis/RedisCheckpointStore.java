package io.baton.memory.store.redis;

import static io.baton.common.redis.RedisReplies.asList;
import static io.baton.common.redis.RedisReplies.pairs;
import static io.baton.common.redis.RedisReplies.str;
import static io.baton.common.redis.RedisReplies.text;

import io.baton.common.redis.RedisReplies;
import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisScript;
import io.baton.common.redis.RedisSettings;
import io.baton.memory.MemoryException;
import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.CheckpointNotFoundException;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentExistsException;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentNotFoundException;
import io.baton.memory.store.DocumentPage;
import io.baton.memory.store.DocumentSummary;
import io.baton.memory.store.Head;
import io.baton.memory.store.HeadMismatchException;
import io.baton.memory.store.InvalidCursorException;
import io.baton.memory.store.InvalidIdException;
import io.baton.memory.store.ModelMismatchException;
import io.baton.memory.store.ParentMismatchException;
import io.baton.memory.store.PutResult;
import io.baton.memory.store.QuotaExceededException;
import io.baton.memory.store.ReplicationTimeoutException;
import io.baton.memory.store.StorePolicy;
import io.baton.memory.store.StoreUnavailableException;
import io.baton.memory.store.StoredCheckpoint;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.reactive.RedisAdvancedClusterReactiveCommands;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The checkpoint store on Redis (standalone, Sentinel or Cluster), through Lettuce's reactive API.
 * Layout, scripts and their atomicity are described in {@code docs/state-store.md}:
 * <ul>
 *   <li>{@code baton:{<tenant>:<doc>}:head}: HASH of the head fields and, per kept checkpoint n,
 *       {@code size:<n>} (stored bytes), {@code tokens:<n>}, {@code bytes:<n>}, {@code digest:<n>}
 *       (hex SHA-256 of the stored bytes; absent for checkpoints written before it was kept), and
 *       {@code incarnation} (random, set when the document is created);
 *   <li>{@code baton:{<tenant>:<doc>}:ckpt:<n>}: STRING, the stored bytes of checkpoint n;
 *   <li>{@code baton:{<tenant>:<doc>}:staging:<uuid>}: STRING, the bytes of a put in flight, with
 *       a 60 s TTL, renamed to {@code ckpt:<n>} or deleted by put.lua;
 *   <li>{@code baton:{tenant:<tenant>}:docs}: HASH doc -> {@code <storedBytes>:<expiresAtMillis>:<segment>:<version>},
 *       the tenant's index, for listing;
 *   <li>{@code baton:{tenant:<tenant>}:usage} (HASH doc -> counted bytes, {@code :total}) and
 *       {@code baton:{tenant:<tenant>}:expiries} (ZSET doc -> expiry): the tenant's usage counter
 *       for the quota, kept by the index scripts in the same step as the index, so a quota check
 *       is O(1) instead of a walk over the tenant's documents.
 * </ul>
 * Every change to a document is one Lua script ({@code redis/put.lua}, {@code fork.lua},
 * {@code delete.lua}) on that document's keys, which all share one hash slot; a put's bytes are
 * staged with a plain SET pipelined before the script, and a read is a pipelined HGETALL, GET,
 * HGETALL (the bytes never pass through Lua on these paths). The tenant index
 * lives in another slot and is updated after the document, so it can briefly lag; it is repaired by
 * the next write or retry (see the docs), and the quota read from it is approximate under
 * concurrent writers of one tenant.
 *
 * <p>Lettuce and Redis failures (connection refused, timeouts, errors) surface as
 * {@link StoreUnavailableException}. A put whose reply was lost (timeout after the script ran) is
 * safe to retry: the retry is an idempotent success.
 */
public final class RedisCheckpointStore implements CheckpointStore, AutoCloseable {

    private static final RedisScript PUT = RedisScript.load("put");
    private static final RedisScript FORK = RedisScript.load("fork");
    private static final RedisScript DELETE = RedisScript.load("delete");
    private static final RedisScript LIST = RedisScript.load("list");
    private static final RedisScript TENANT_USAGE = RedisScript.load("tenant-usage");
    private static final RedisScript TENANT_RECOUNT = RedisScript.load("tenant-recount");
    private static final RedisScript INDEX_SET = RedisScript.load("index-set");
    private static final RedisScript INDEX_REMOVE = RedisScript.load("index-remove");

    /** A read retries this often when writes keep moving the head under it. */
    private static final int READ_ATTEMPTS = 16;
    /** Staged bytes that no script took over (the client died in between) expire after this. */
    static final long STAGING_TTL_MILLIS = 60_000;
    /** A delete retries this often when puts keep moving the head under it. */
    private static final int DELETE_ATTEMPTS = 16;
    private static final Pattern SCAN_CURSOR = Pattern.compile("[0-9]{1,20}");
    private static final Pattern INDEX_ENTRY = Pattern.compile("([0-9]+):([0-9]+):([0-9]+):([0-9]+)");

    private final RedisConnection redis;
    /**
     * The connection writes (puts, forks, deletes) go over: {@link #redis} when they do not wait
     * for replicas; otherwise a second connection of the store's own, because {@code WAIT} blocks
     * the connection it is sent on until the replicas answer (up to the timeout), and reads must
     * not queue behind it.
     */
    private final RedisConnection writer;
    private final StorePolicy policy;
    private final ReplicaWait replicaWait;
    private final boolean ownsConnection;

    /** A store on a connection that the caller owns and closes; puts do not wait for replicas. */
    public RedisCheckpointStore(RedisConnection redis, StorePolicy policy) {
        this(redis, policy, ReplicaWait.NONE, false);
    }

    /**
     * A store on a connection that the caller owns and closes, whose writes (puts, forks, deletes)
     * wait for replicas as {@code replicaWait} says (over a second connection of the store's own,
     * closed with it).
     */
    public RedisCheckpointStore(RedisConnection redis, StorePolicy policy, ReplicaWait replicaWait) {
        this(redis, policy, replicaWait, false);
    }

    private RedisCheckpointStore(RedisConnection redis, StorePolicy policy, ReplicaWait replicaWait,
                                 boolean ownsConnection) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.replicaWait = Objects.requireNonNull(replicaWait, "replicaWait");
        this.writer = replicaWait.enabled() ? RedisConnection.open(redis.settings()) : redis;
        this.ownsConnection = ownsConnection;
    }

    /** A store with its own connection for these settings, closed with the store. */
    public static RedisCheckpointStore open(RedisSettings settings, StorePolicy policy) {
        return open(settings, policy, ReplicaWait.NONE);
    }

    /** A store with its own connection for these settings, whose writes wait for replicas as {@code replicaWait} says. */
    public static RedisCheckpointStore open(RedisSettings settings, StorePolicy policy, ReplicaWait replicaWait) {
        return new RedisCheckpointStore(RedisConnection.open(settings), policy, replicaWait, true);
    }

    @Override
    public void close() {
        if (writer != redis) {
            writer.close();
        }
        if (ownsConnection) {
            redis.close();
        }
    }

    @Override
    public String toString() {
        return "redis (" + redis.settings().describe() + "), " + describe(policy) + ", " + replicaWait;
    }

    private static String describe(StorePolicy policy) {
        return "keep " + policy.keep() + ", ttl " + policy.ttl() + ", tenant quota "
                + (policy.hasQuota() ? policy.tenantQuotaBytes() + " bytes" : "none");
    }

    // ---- reads ----

    @Override
    public Mono<Head> head(DocumentKey key) {
        return redis.commands()
                .flatMap(c -> hash(c, RedisKeys.head(key)))
                .filter(fields -> !fields.isEmpty())
                .map(fields -> RedisHead.of(fields).head())
                .onErrorMap(RedisCheckpointStore::unavailable);
    }

    @Override
    public Mono<StoredCheckpoint> checkpoint(DocumentKey key, long segment) {
        return readCheckpoint(key, segment)
                .map(read -> new StoredCheckpoint(segment, read.head().head(), read.stored()))
                .onErrorMap(RedisCheckpointStore::unavailable);
    }

    /**
     * Reads the head, checkpoint n and the head again, pipelined (one round trip, plain HGETALL and
     * GET, so the bytes do not pass through Lua). When both reads of the head are equal, the bytes
     * belong to that head: every accepted write changes the head's version, and a document deleted
     * and created again gets a new random {@code incarnation}. Otherwise a write came in between
     * and the read is repeated.
     */
    private Mono<ReadCheckpoint> readCheckpoint(DocumentKey key, long segment) {
        return readCheckpoint(key, segment, READ_ATTEMPTS);
    }

    private Mono<ReadCheckpoint> readCheckpoint(DocumentKey key, long segment, int attempts) {
        String headKey = RedisKeys.head(key);
        String checkpointKey = RedisKeys.checkpoint(key, segment);
        return redis.commands().flatMap(c -> Mono.zip(hash(c, headKey),
                c.get(checkpointKey).map(Optional::of).defaultIfEmpty(Optional.empty()),
                hash(c, headKey))).flatMap(read -> {
                    Map<String, byte[]> fields = read.getT1();
                    if (!sameFields(fields, read.getT3())) {
                        return attempts > 1 ? readCheckpoint(key, segment, attempts - 1)
                                : Mono.error(new StoreUnavailableException("document " + key.document()
                                        + " kept changing while it was being read; try again", null));
                    }
                    if (fields.isEmpty()) {
                        return Mono.error(new DocumentNotFoundException(key));
                    }
                    RedisHead head = RedisHead.of(fields);
                    Head h = head.head();
                    if (read.getT2().isEmpty() || segment < h.oldest() || segment > h.segment()) {
                        return Mono.error(new CheckpointNotFoundException(key, segment, h));
                    }
                    return Mono.just(new ReadCheckpoint(head, read.getT2().get()));
                });
    }

    private static boolean sameFields(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, byte[]> entry : a.entrySet()) {
            if (!Arrays.equals(entry.getValue(), b.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    // ---- put ----

    @Override
    public Mono<PutResult> put(DocumentKey key, CheckpointRecord record) {
        Objects.requireNonNull(record, "record");
        long n = record.segment();
        int keep = policy.keep();
        String staging = RedisKeys.staging(key, UUID.randomUUID().toString());
        List<String> keys = new ArrayList<>(keep + 3);
        keys.add(RedisKeys.head(key));
        keys.add(RedisKeys.checkpoint(key, n));
        keys.add(staging);
        for (long m = n - 1; m >= Math.max(0, n - keep + 1); m--) {
            keys.add(RedisKeys.checkpoint(key, m));
        }
        int refreshed = keys.size() - 3;
        if (n - keep >= 0) {
            keys.add(RedisKeys.checkpoint(key, n - keep));
        }
        return othersUsage(key).flatMap(others -> {
            long allowed = policy.hasQuota() ? Math.max(0, policy.tenantQuotaBytes() - others) : -1;
            return writer.commands().flatMap(c -> {
                // The bytes go to the staging key first; the script, pipelined right behind on the
                // same connection, decides and renames them into place. The digest is computed while
                // the SET is on its way.
                CompletableFuture<String> staged = c.set(staging, record.stored(),
                        SetArgs.Builder.px(STAGING_TTL_MILLIS)).toFuture();
                byte[][] args = {num(n), num(record.tokens()), text(record.model()), text(record.modelDigest()),
                        num(record.bytes()), num(policy.ttl().toMillis()), num(keep), num(allowed), num(refreshed),
                        text(record.digest()), text(UUID.randomUUID().toString()),
                        text(record.parentDigest() == null ? "" : record.parentDigest())};
                Mono<List<Object>> decide = writer.run(PUT, ScriptOutputType.MULTI, keys.toArray(String[]::new), args);
                return Mono.zip(Mono.fromFuture(staged), decide).flatMap(done -> {
                    ScriptReply reply = ScriptReply.of(done.getT2());
                    if (reply.status().equals("staged_missing")) {
                        // the script overtook the SET (it cannot on one connection; in case a
                        // route differs): the SET has answered OK by now, so decide once more
                        return writer.<List<Object>>run(PUT, ScriptOutputType.MULTI, keys.toArray(String[]::new), args)
                                .map(ScriptReply::of);
                    }
                    return Mono.just(reply);
                }).flatMap(reply -> awaitReplicas(c, key, reply));
            }).flatMap(reply -> switch (reply.status()) {
                        case "created", "idempotent" -> index(key, reply).then(Mono.defer(() -> replicated(reply.replicas(),
                                new PutResult(reply.head(), reply.status().equals("created"), record.digest()),
                                "checkpoint " + n + " of document " + key.document() + " is written",
                                "the same put again is safe and waits once more")));
                        case "conflict" -> Mono.error(new CheckpointConflictException(key, n, reply.head()));
                        case "model_mismatch" -> Mono.error(
                                new ModelMismatchException(key, record.model(), record.modelDigest(), reply.head()));
                        case "parent_mismatch" -> Mono.error(new ParentMismatchException(key, n, record.parentDigest()));
                        case "quota" -> {
                            long before = reply.head() == null ? 0 : reply.head().storedBytes();
                            yield Mono.error(new QuotaExceededException(key.tenant(), others + before,
                                    reply.extra() - before, policy.tenantQuotaBytes()));
                        }
                        case "staged_missing" -> Mono.error(new StoreUnavailableException(
                                "the checkpoint's staged bytes were not found in Redis; try again", null));
                        default -> Mono.error(unexpected(PUT, reply.status()));
                    });
        }).onErrorMap(RedisCheckpointStore::unavailable);
    }

    /**
     * After a put the script accepted ({@code created} or {@code idempotent}), and when writes wait
     * for replicas: how many acknowledged it ({@link #acknowledged}).
     */
    private Mono<ScriptReply> awaitReplicas(RedisClusterReactiveCommands<String, byte[]> c, DocumentKey key,
                                            ScriptReply reply) {
        if (!replicaWait.enabled() || !(reply.status().equals("created") || reply.status().equals("idempotent"))) {
            return Mono.just(reply);
        }
        return acknowledged(c, key).map(acknowledged -> reply.acknowledgedBy(acknowledged, replicaWait.replicas()));
    }

    /**
     * When writes wait for replicas: {@code WAIT replicas timeout} on the connection that ran the
     * write to {@code key}'s document, so that it covers the script's writes (Redis counts from
     * that client's last write), answering how many replicas acknowledged them. In a Cluster that is
     * the node connection of the primary holding the document's slot, taken by host and port, which
     * is the connection Lettuce routed the script over (a keyless command on the cluster connection
     * would go to another node, whose answer says nothing about this write). Without waits: the
     * number asked for (0), at once.
     */
    private Mono<Long> acknowledged(RedisClusterReactiveCommands<String, byte[]> c, DocumentKey key) {
        if (!replicaWait.enabled()) {
            return Mono.just((long) replicaWait.replicas());
        }
        Mono<RedisClusterReactiveCommands<String, byte[]>> node;
        if (c instanceof RedisAdvancedClusterReactiveCommands<String, byte[]> cluster) {
            StatefulRedisClusterConnection<String, byte[]> stateful = cluster.getStatefulConnection();
            RedisClusterNode primary = stateful.getPartitions().getMasterBySlot(SlotHash.getSlot(RedisKeys.head(key)));
            if (primary == null) {
                return Mono.error(new StoreUnavailableException("no Redis Cluster primary is known for document "
                        + key.document() + "'s slot; try again", null));
            }
            node = Mono.fromFuture(stateful.getConnectionAsync(primary.getUri().getHost(), primary.getUri().getPort()))
                    .map(StatefulRedisConnection::reactive);
        } else {
            node = Mono.just(c);
        }
        return node.flatMap(n -> n.waitForReplication(replicaWait.replicas(), replicaWait.timeout().toMillis()));
    }

    /**
     * A write that {@code acknowledged} replicas acknowledged: it, when that is enough (or writes
     * do not wait); else 503 {@code replication-timeout}, naming what is written on the primary
     * ({@code written}) and what to do about it ({@code retry}).
     */
    private <T> Mono<T> replicated(long acknowledged, T value, String written, String retry) {
        if (!replicaWait.enabled() || acknowledged >= replicaWait.replicas()) {
            return Mono.just(value);
        }
        return Mono.error(new ReplicationTimeoutException(written + " on the Redis primary, but " + acknowledged
                + " of the " + replicaWait.replicas() + " replicas asked for (baton.redis.wait-replicas) acknowledged it "
                + "within " + replicaWait.timeout() + "; " + retry));
    }


    /**
     * Stored bytes of the tenant's other live documents, from the tenant's usage counter; 0
     * without a quota (not read then). A tenant without a counter (indexed before it was kept)
     * is recounted from its index first, once.
     */
    private Mono<Long> othersUsage(DocumentKey key) {
        if (!policy.hasQuota()) {
            return Mono.just(0L);
        }
        String[] keys = RedisKeys.tenantKeys(key.tenant());
        Mono<Long> usage = script(TENANT_USAGE, ScriptOutputType.INTEGER, keys, text(key.document()));
        return usage.flatMap(used -> used >= 0 ? Mono.just(used) : recountUsage(key.tenant()).then(usage)
                .map(again -> Math.max(0, again)));
    }

    /**
     * Rebuilds the tenant's usage counter from its index (O(documents of the tenant)) and returns
     * the bytes counted: the sum of the stored bytes of the index entries whose expiry has not
     * passed. The quota checks do this by themselves for a tenant that has no counter; an
     * operator forces it by deleting the counter key ({@code baton:{tenant:<tenant>}:usage}).
     */
    public Mono<Long> recountUsage(String tenant) {
        return this.<Long>script(TENANT_RECOUNT, ScriptOutputType.INTEGER, RedisKeys.tenantKeys(tenant))
                .onErrorMap(RedisCheckpointStore::unavailable);
    }

    /** Records the document's state after an accepted (or idempotent) write in the tenant index. */
    private Mono<Long> index(DocumentKey key, ScriptReply reply) {
        Head head = reply.head();
        long expiresAt = reply.nowMillis() + Math.max(0, reply.pttl());
        return script(INDEX_SET, ScriptOutputType.INTEGER, RedisKeys.tenantKeys(key.tenant()),
                text(key.document()), num(head.storedBytes()), num(expiresAt), num(head.segment()), num(head.version()));
    }

    // ---- fork ----

    @Override
    public Mono<Head> fork(DocumentKey source, long segment, DocumentKey target, UnaryOperator<byte[]> rewrite) {
        Objects.requireNonNull(rewrite, "rewrite");
        return Mono.defer(() -> {
            if (!source.tenant().equals(target.tenant())) {
                return Mono.error(new IllegalArgumentException("a fork stays within its tenant"));
            }
            return readCheckpoint(source, segment).flatMap(read -> othersUsage(target).flatMap(others -> {
                RedisHead from = read.head();
                Head head = from.head();
                byte[] stored = Objects.requireNonNull(rewrite.apply(read.stored()), "rewritten checkpoint");
                long allowed = policy.hasQuota() ? Math.max(0, policy.tenantQuotaBytes() - others) : -1;
                String[] keys = {RedisKeys.head(target), RedisKeys.checkpoint(target, segment)};
                byte[][] args = {num(segment), num(from.tokensOf(segment)), text(head.model()), text(head.modelDigest()),
                        num(from.bytesOf(segment)), num(policy.ttl().toMillis()), num(allowed), stored, CheckpointRecord.digestBytes(stored),
                        text(UUID.randomUUID().toString())};
                return writer.commands().flatMap(c -> writer.<List<Object>>run(FORK, ScriptOutputType.MULTI, keys, args)
                                .map(ScriptReply::of)
                                .flatMap(reply -> awaitReplicas(c, target, reply)))
                        .flatMap(reply -> switch (reply.status()) {
                            case "created" -> index(target, reply).then(Mono.defer(() -> replicated(reply.replicas(),
                                    reply.head(), "document " + target.document() + " (a fork of " + source.document()
                                            + " at segment " + segment + ") is created",
                                    "it exists: a fork to it again answers document-exists")));
                            case "exists" -> Mono.error(new DocumentExistsException(target));
                            case "quota" -> Mono.error(new QuotaExceededException(target.tenant(), others,
                                    reply.extra(), policy.tenantQuotaBytes()));
                            default -> Mono.error(unexpected(FORK, reply.status()));
                        });
            }));
        }).onErrorMap(RedisCheckpointStore::unavailable);
    }

    // ---- list ----

    @Override
    public Mono<DocumentPage> list(String tenant, String cursor, int limit) {
        return Mono.defer(() -> {
            DocumentKey.requireTenant(tenant);
            if (limit < 1) {
                return Mono.error(new IllegalArgumentException("list limit must be at least 1, was " + limit));
            }
            ListCursor from = cursor == null ? new ListCursor("0", null) : ListCursor.decode(cursor);
            return page(tenant, from, limit, new ArrayList<>());
        }).onErrorMap(RedisCheckpointStore::unavailable);
    }

    /**
     * Adds to {@code page} the documents of one HSCAN step from {@code from}, in id order, and
     * continues with the next step until the page is full or the scan is done. When the page
     * fills up within a step, the cursor names that step and the last id taken, so the next page
     * starts with the rest of the same step.
     */
    private Mono<DocumentPage> page(String tenant, ListCursor from, int limit, List<DocumentSummary> page) {
        String index = RedisKeys.tenantIndex(tenant);
        return this.<List<Object>>script(LIST, ScriptOutputType.MULTI, new String[] {index},
                text(from.scan()), num(Math.max(limit, 10))).flatMap(reply -> {
                    String next = str(reply.get(0));
                    long now = (Long) reply.get(1);
                    List<Map.Entry<String, byte[]>> step = new ArrayList<>(pairs(asList(reply.get(2))).entrySet());
                    step.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
                    return Flux.fromIterable(step)
                            .filter(entry -> from.after() == null || entry.getKey().compareTo(from.after()) > 0)
                            .concatMap(entry -> summary(tenant, entry.getKey(), str(entry.getValue()), now))
                            .collectList()
                            .flatMap(live -> {
                                int room = limit - page.size();
                                if (live.size() > room) {
                                    page.addAll(live.subList(0, room));
                                    String last = page.get(page.size() - 1).document();
                                    return Mono.just(new DocumentPage(page, new ListCursor(from.scan(), last).encode()));
                                }
                                page.addAll(live);
                                if ("0".equals(next)) {
                                    return Mono.just(new DocumentPage(page, null));
                                }
                                if (page.size() == limit) {
                                    return Mono.just(new DocumentPage(page, new ListCursor(next, null).encode()));
                                }
                                return page(tenant, new ListCursor(next, null), limit, page);
                            });
                });
    }

    /**
     * The summary of one index entry. An entry whose expiry has passed is checked against the
     * document itself: gone, it is removed from the index (unless rewritten meanwhile); still there
     * (its index entry lagged), it is listed with the head's real TTL.
     */
    private Mono<DocumentSummary> summary(String tenant, String document, String entry, long now) {
        var matcher = INDEX_ENTRY.matcher(entry);
        boolean parsed = matcher.matches();
        if (parsed && Long.parseLong(matcher.group(2)) > now) {
            return Mono.just(new DocumentSummary(document, Long.parseLong(matcher.group(3)),
                    Long.parseLong(matcher.group(1)), Instant.ofEpochMilli(Long.parseLong(matcher.group(2)))));
        }
        DocumentKey key;
        try {
            key = new DocumentKey(tenant, document);
        } catch (InvalidIdException e) {
            return removeFromIndex(tenant, document, entry).then(Mono.empty());
        }
        return redis.commands().flatMap(c -> hash(c, RedisKeys.head(key)).zipWith(c.pttl(RedisKeys.head(key))))
                .flatMap(found -> {
                    if (found.getT1().isEmpty()) {
                        return removeFromIndex(tenant, document, entry).then(Mono.empty());
                    }
                    Head head = RedisHead.of(found.getT1()).head();
                    Instant expiresAt = found.getT2() >= 0 ? Instant.ofEpochMilli(now + found.getT2()) : null;
                    return Mono.just(new DocumentSummary(document, head.segment(), head.storedBytes(), expiresAt));
                });
    }

    private Mono<Long> removeFromIndex(String tenant, String document, String entry) {
        return script(INDEX_REMOVE, ScriptOutputType.INTEGER, RedisKeys.tenantKeys(tenant), text(document), text(entry));
    }

    // ---- delete ----

    @Override
    public Mono<Boolean> delete(DocumentKey key) {
        return delete(key, "", DELETE_ATTEMPTS).onErrorMap(RedisCheckpointStore::unavailable);
    }

    @Override
    public Mono<Boolean> delete(DocumentKey key, String headDigest) {
        Objects.requireNonNull(headDigest, "headDigest");
        return delete(key, headDigest, DELETE_ATTEMPTS).onErrorMap(RedisCheckpointStore::unavailable);
    }

    /** Deletes the document if its head checkpoint has {@code headDigest} (any head when empty). */
    private Mono<Boolean> delete(DocumentKey key, String headDigest, int attempts) {
        return redis.commands().flatMap(c -> hash(c, RedisKeys.head(key))).flatMap(fields -> {
            if (fields.isEmpty()) {
                return forget(key).thenReturn(false);
            }
            Head head = RedisHead.of(fields).head();
            List<String> keys = new ArrayList<>();
            keys.add(RedisKeys.head(key));
            for (long m = head.oldest(); m <= head.segment(); m++) {
                keys.add(RedisKeys.checkpoint(key, m));
            }
            return writer.commands().flatMap(c -> writer.<Long>run(DELETE, ScriptOutputType.INTEGER,
                                    keys.toArray(String[]::new), num(head.version()), text(headDigest))
                            .flatMap(outcome -> outcome == 1 ? acknowledged(c, key).map(acknowledged ->
                                    new long[] {outcome, acknowledged}) : Mono.just(new long[] {outcome, 0})))
                    .flatMap(done -> {
                        long outcome = done[0];
                        if (outcome == -2) {
                            return Mono.error(new HeadMismatchException(key, headDigest, head));
                        }
                        if (outcome == -1) {
                            return attempts > 1 ? delete(key, headDigest, attempts - 1)
                                    : Mono.error(new StoreUnavailableException("document " + key.document()
                                            + " kept changing while it was being deleted; try again", null));
                        }
                        return forget(key).then(Mono.defer(() -> outcome == 1
                                ? replicated(done[1], true, "document " + key.document() + " is deleted",
                                        "the same delete again answers not-found")
                                : Mono.just(false)));
                    });
        });
    }

    /** Removes a deleted document from the tenant's index and usage counter. */
    private Mono<Long> forget(DocumentKey key) {
        return removeFromIndex(key.tenant(), key.document(), "");
    }

    // ---- scripts and replies ----

    /** Runs a script by its digest, sending its text only when the server does not have it yet. */
    private <T> Mono<T> script(RedisScript script, ScriptOutputType type, String[] keys, byte[]... args) {
        return redis.run(script, type, keys, args);
    }

    private static Mono<Map<String, byte[]>> hash(RedisClusterReactiveCommands<String, byte[]> c, String key) {
        return c.hgetall(key).collectMap(KeyValue::getKey, KeyValue::getValue);
    }

    /** Maps failures of Redis or of the way to it to {@link StoreUnavailableException}. */
    static Throwable unavailable(Throwable failure) {
        if (failure instanceof MemoryException) {
            return failure;
        }
        if (failure instanceof RedisException || failure instanceof IOException || failure instanceof TimeoutException) {
            return new StoreUnavailableException("Redis is unavailable: " + RedisConnection.reason(failure), failure);
        }
        return failure;
    }

    private static IllegalStateException unexpected(RedisScript script, String status) {
        return new IllegalStateException("script " + script.name() + " answered '" + status + "'");
    }

    private static byte[] num(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }


    /** The head hash and the bytes of one checkpoint, read together. */
    private record ReadCheckpoint(RedisHead head, byte[] stored) {
    }

    /**
     * The reply of put.lua and fork.lua: status, the document's head afterwards (null when there is
     * none), the head's remaining TTL, the server's time and a status-specific number.
     */
    private record ScriptReply(String status, Head head, long pttl, long nowMillis, long extra, long replicas,
                               boolean replicated) {

        static ScriptReply of(List<Object> reply) {
            long segment = (Long) reply.get(1);
            Head head = segment < 0 ? null : new Head(segment, (Long) reply.get(2), str(reply.get(3)),
                    str(reply.get(4)), (Long) reply.get(5), (Long) reply.get(6), (Long) reply.get(7), (Long) reply.get(8));
            return new ScriptReply(str(reply.get(0)), head, (Long) reply.get(9), (Long) reply.get(10), (Long) reply.get(11),
                    -1, true);
        }

        /** This reply after {@code WAIT} answered that {@code count} replicas acknowledged the writes. */
        ScriptReply acknowledgedBy(long count, int wanted) {
            return new ScriptReply(status, head, pttl, nowMillis, extra, count, count >= wanted);
        }
    }

    /** A list cursor: the HSCAN cursor of a step and the last id already listed from that step. */
    private record ListCursor(String scan, String after) {

        String encode() {
            String plain = scan + ":" + (after == null ? "" : after);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
        }

        static ListCursor decode(String cursor) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int colon = plain.indexOf(':');
                String scan = colon < 0 ? "" : plain.substring(0, colon);
                String after = colon < 0 ? "" : plain.substring(colon + 1);
                if (!SCAN_CURSOR.matcher(scan).matches()) {
                    throw new InvalidCursorException(cursor);
                }
                if (!after.isEmpty()) {
                    new DocumentKey("cursor", after);
                }
                return new ListCursor(scan, after.isEmpty() ? null : after);
            } catch (IllegalArgumentException | InvalidIdException e) {
                throw new InvalidCursorException(cursor);
            }
        }
    }
}
