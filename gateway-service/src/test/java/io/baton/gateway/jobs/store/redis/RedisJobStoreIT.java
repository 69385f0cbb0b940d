package io.baton.gateway.jobs.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.redis.RedisConnection;
import io.baton.common.redis.RedisSettings;
import io.baton.common.testing.TestServers;
import io.baton.gateway.jobs.store.JobPage;
import io.baton.gateway.jobs.store.JobRecord;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.JobStore.Stop;
import io.baton.gateway.jobs.store.NewJob;
import io.baton.gateway.jobs.store.RequestRef;
import io.baton.protocol.problems.ProblemType;
import io.lettuce.core.cluster.SlotHash;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job store contract against a real Redis ({@link TestServers}), and what only Redis has: one
 * slot per job, keys that expire with their job, and what a gateway that crashed between its
 * writes to different slots leaves behind. The expiry tests wait for Redis's clock (on this
 * machine, the same as the JVM's) with a retention of {@link #SHORT_RETENTION}.
 */
class RedisJobStoreIT extends RedisJobStoreOnServers {

    @BeforeAll
    static void connect() {
        String url = TestServers.redisUrl();
        connect(url, "standalone", url);
    }

    // ---- layout ----

    @Test
    void everyKeyOfAJobSharesOneSlotAndGoesWithTheJob() {
        JobRecord job = create(job("job-a", 2, "key-1", RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at, LEASE).block();
        store.finish(ref("job-a", 1), completed("r1"), at).block();
        JobKeys keys = JobKeys.of(tenant, "job-a");
        List<String> jobKeys = List.of(keys.job(), keys.requests(), keys.ids(), keys.work(), keys.results(), keys.answers(0));

        assertThat(jobKeys).allSatisfy(key -> assertThat(raw.exists(key)).isEqualTo(1));
        assertThat(jobKeys).extracting(SlotHash::getSlot).containsOnly(SlotHash.getSlot(keys.job()));
        assertThat(jobKeys).as("unfinished: one retention after expiresAt").allSatisfy(key ->
                assertThat(raw.pexpiretime(key)).isEqualTo(job.expiresAt().plus(RETENTION).toEpochMilli()));
        String idempotency = JobKeys.idempotency(tenant, "key-1");
        assertThat(SlotHash.getSlot(idempotency)).isEqualTo(SlotHash.getSlot(JobKeys.index(tenant)));
        assertThat(raw.pexpiretime(idempotency)).isEqualTo(job.expiresAt().plus(RETENTION).toEpochMilli());
        assertThat(raw.pexpiretime(JobKeys.index(tenant))).isEqualTo(job.expiresAt().plus(RETENTION).toEpochMilli());

        Instant done = at.plusSeconds(1);
        store.finish(ref("job-a", 0), completed("r0"), done).block();

        long expiresAt = done.plus(RETENTION).toEpochMilli();
        assertThat(store.find(tenant, "job-a").block().expiresAt().toEpochMilli()).isEqualTo(expiresAt);
        assertThat(raw.exists(keys.answers(0))).isZero();
        assertThat(List.of(keys.job(), keys.requests(), keys.ids(), keys.work(), keys.results()))
                .as("finished: at expiresAt").allSatisfy(key -> assertThat(raw.pexpiretime(key)).isEqualTo(expiresAt));
        assertThat(raw.pexpiretime(idempotency)).as("kept no shorter than the job").isGreaterThanOrEqualTo(expiresAt);
        assertThat(raw.zscore(JobKeys.ACTIVE, bytes(JobKeys.activeMember(tenant, "job-a")))).isNull();
    }

    @Test
    void expiringAJobMovesItsKeysDeletion() {
        create(job("job-a", 2, "key-1", RETENTION));
        Instant at = now().plus(RETENTION);
        store.claim(ref("job-a", 0), "w1", now(), LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), now(), LEASE).block();

        JobRecord expired = store.stop(tenant, "job-a", Stop.EXPIRE, at, CANCELLED_LINE).block();

        JobKeys keys = JobKeys.of(tenant, "job-a");
        assertThat(expired.expiresAt()).isEqualTo(at.plus(RETENTION));
        assertThat(List.of(keys.job(), keys.requests(), keys.ids(), keys.work(), keys.results(), keys.answers(0)))
                .allSatisfy(key -> assertThat(raw.pexpiretime(key)).isEqualTo(at.plus(RETENTION).toEpochMilli()));
        assertThat(raw.pexpiretime(JobKeys.idempotency(tenant, "key-1"))).isEqualTo(at.plus(RETENTION).toEpochMilli());
        assertThat(raw.pexpiretime(JobKeys.index(tenant))).isEqualTo(at.plus(RETENTION).toEpochMilli());
    }

    @Test
    void aDeletedJobLeavesNoKey() {
        create(job("job-a", 3, "key-1", RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at, LEASE).block();
        store.claim(ref("job-a", 2), "w1", at, LEASE).block();
        store.record(ref("job-a", 2), "w1", 0, bytes("a0"), at, LEASE).block();
        store.finish(ref("job-a", 1), completed("r1"), at).block();

        assertThat(store.delete(tenant, "job-a").block()).isTrue();

        assertThat(tenantKeys(tenant)).isEmpty();
        assertThat(raw.zscore(JobKeys.ACTIVE, bytes(JobKeys.activeMember(tenant, "job-a")))).isNull();
    }

    @Test
    void aRecordForAJobThatIsGoneWritesNothing() {
        store.record(new RequestRef(tenant, "job-a", 0), "w1", 0, bytes("a0"), now(), LEASE).block();
        store.finish(new RequestRef(tenant, "job-a", 0), completed("r0"), now()).block();
        store.published(tenant, "job-a").block();
        store.orphans(tenant, "job-a", now(), IDLE).block();

        assertThat(tenantKeys(tenant)).isEmpty();
    }

    // ---- what a crash between writes to different slots leaves ----

    @Test
    void entriesNamingAJobThatIsGoneAreSkippedAndRemoved() {
        create(job("job-a", 1, null, RETENTION));
        create(job("job-b", 1, null, RETENTION));
        create(job("job-c", 1, null, RETENTION));
        // job-b's keys went (a delete that crashed after delete.lua), its entries stayed
        JobKeys b = JobKeys.of(tenant, "job-b");
        raw.del(b.job(), b.requests(), b.ids());

        JobPage page = store.list(tenant, null, 2).block();
        assertThat(page.jobs()).extracting(JobRecord::id).containsExactly("job-c", "job-a");
        assertThat(page.next()).isNull();
        assertThat(raw.zscore(JobKeys.index(tenant), bytes("job-b"))).isNull();

        assertThat(store.active().map(JobRecord::id).collectList().block()).contains("job-a", "job-c").doesNotContain("job-b");
        assertThat(raw.zscore(JobKeys.ACTIVE, bytes(JobKeys.activeMember(tenant, "job-b")))).isNull();
    }

    @Test
    void anIdempotencyKeyNamingAJobThatIsGoneIsTakenOver() {
        create(job("job-a", 1, "key-1", RETENTION));
        JobKeys a = JobKeys.of(tenant, "job-a");
        raw.del(a.job(), a.requests(), a.ids());

        JobStore.Submitted next = store.create(job("job-b", 1, "key-1", RETENTION)).block();

        assertThat(next.created()).isTrue();
        assertThat(new String(raw.get(JobKeys.idempotency(tenant, "key-1")), StandardCharsets.UTF_8)).isEqualTo("job-b");
        assertThat(store.create(job("job-c", 1, "key-1", RETENTION)).block().job().id()).isEqualTo("job-b");
    }

    @Test
    void aJobWhoseSubmissionCrashedBeforeItWasIndexedIsSeenByNoOne() {
        NewJob job = job("job-a", 1, "key-1", RETENTION);
        create(job);
        // as if the gateway crashed after create.lua and the active set: no index entry, no key
        raw.zrem(JobKeys.index(tenant), bytes("job-a"));
        raw.del(JobKeys.idempotency(tenant, "key-1"));

        assertThat(store.list(tenant, null, 10).block().jobs()).isEmpty();
        JobStore.Submitted retry = store.create(job("job-b", 1, "key-1", RETENTION)).block();
        assertThat(retry.created()).isTrue();
        assertThat(store.list(tenant, null, 10).block().jobs()).extracting(JobRecord::id).containsExactly("job-b");
        store.delete(tenant, "job-a").block();
    }

    @Test
    void aJobIdOrTenantThatCannotBeAKeyNamesNoJob() {
        assertThat(store.find(tenant, "job}{x").block()).isNull();
        assertThat(store.find("a:b", "job-a").block()).isNull();
        assertThat(store.list("a{b}", null, 10).block().jobs()).isEmpty();
        assertThat(store.delete(tenant, "job:a").block()).isFalse();
        assertThatThrownBy(() -> store.create(new NewJob(tenant, "job:a", now(), RETENTION, "{}", null, "d",
                requests(1))).block()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStoreWhoseRedisIsDownAnswersStoreUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (RedisConnection down = RedisConnection.open(RedisSettings.of("baton.test.redis", "redis://127.0.0.1:" + port,
                "standalone", Duration.ofSeconds(2), true))) {
            RedisJobStore unreachable = new RedisJobStore(down);

            assertThatThrownBy(() -> unreachable.find(tenant, "job-a").block())
                    .isInstanceOfSatisfying(JobStoreUnavailableException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.JOB_STORE_UNAVAILABLE));
            assertThatThrownBy(() -> unreachable.claim(new RequestRef(tenant, "job-a", 0), "w1", now(), LEASE).block())
                    .isInstanceOf(JobStoreUnavailableException.class);
            assertThatThrownBy(() -> unreachable.create(job("job-a", 1, null, RETENTION)).block())
                    .isInstanceOf(JobStoreUnavailableException.class);
        }
    }
}
