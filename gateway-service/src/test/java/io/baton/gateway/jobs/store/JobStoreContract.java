package io.baton.gateway.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.gateway.jobs.store.JobStore.Stop;
import io.baton.gateway.jobs.store.JobStore.Submitted;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link JobStore}, one test per rule of its javadoc. Every implementation runs this
 * suite by extending it. Each test works in tenants of its own and deletes what it created, so
 * the suite can share a server with other tests.
 *
 * <p>Times: the operations that take a {@code now} are given times around {@link #now()} (a lease
 * that ran out is a {@code now} past it, no waiting); what happens by itself with time (a finished
 * job gone after its retention) goes through {@link #passTime}.
 */
public abstract class JobStoreContract {

    protected static final Duration RETENTION = Duration.ofHours(1);
    protected static final Duration LEASE = Duration.ofSeconds(30);
    protected static final Duration IDLE = Duration.ofMinutes(1);
    protected static final JobStore.CancelledLine CANCELLED_LINE = (customId, stop) ->
            "{\"custom_id\":\"" + customId + "\",\"error\":\"" + stop.name().toLowerCase(Locale.ROOT) + "\"}";

    private final List<String> tenants = new ArrayList<>();

    /** The store under test. */
    protected JobStore store;
    /** This test's own tenant. */
    protected String tenant;

    /** The store under test, empty of this test's tenants. */
    protected abstract JobStore newStore();

    /** The store's time now, to the millisecond (the precision every store keeps). */
    protected abstract Instant now();

    /** Returns once the store's time is past {@code instant}. */
    protected abstract void passTime(Instant instant);

    /**
     * The retention of the jobs whose expiry a test waits for: short where {@link #passTime}
     * really waits.
     */
    protected Duration shortRetention() {
        return RETENTION;
    }

    /** Removes anything of {@code tenant} that deleting its jobs leaves behind (nothing, ideally). */
    protected void cleanUp(String tenant) {
    }

    @BeforeEach
    void openStore() {
        store = newStore();
        tenant = newTenant();
    }

    @AfterEach
    void deleteWhatTheTestCreated() {
        for (String t : tenants) {
            for (JobRecord job : listAll(t)) {
                store.delete(t, job.id()).block();
            }
            cleanUp(t);
        }
    }

    // ---- create, idempotency ----

    @Test
    void aNewJobIsQueuedUnpublishedAndKeepsItsRequestsAsSubmitted() {
        NewJob job = job("job-1", 3, null, RETENTION);

        Submitted submitted = store.create(job).block();

        assertThat(submitted.created()).isTrue();
        JobRecord record = submitted.job();
        assertThat(record.tenant()).isEqualTo(tenant);
        assertThat(record.id()).isEqualTo("job-1");
        assertThat(record.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(record.counts()).isEqualTo(new JobCounts(3, 0, 0, 0));
        assertThat(record.createdAt()).isEqualTo(job.createdAt());
        assertThat(record.startedAt()).isNull();
        assertThat(record.completedAt()).isNull();
        assertThat(record.expiresAt()).isEqualTo(job.createdAt().plus(RETENTION));
        assertThat(record.metadata()).isEqualTo(job.metadata());
        assertThat(record.bodyDigest()).isEqualTo(job.bodyDigest());
        assertThat(record.published()).isFalse();
        assertThat(store.find(tenant, "job-1").block()).isEqualTo(record);
        for (int i = 0; i < 3; i++) {
            assertThat(store.request(ref("job-1", i)).block()).isEqualTo(job.requests().get(i));
        }
        assertThat(store.request(ref("job-1", 3)).block()).isNull();
        assertThat(store.request(ref("job-1", -1)).block()).isNull();
        assertThat(store.request(ref("job-none", 0)).block()).isNull();
        assertThat(store.results(tenant, "job-1").collectList().block()).isEmpty();
    }

    @Test
    void theSameIdempotencyKeyAnswersTheJobItCreatedAndStoresNothing() {
        JobRecord first = create(job("job-a", 2, "key-1", RETENTION));

        Submitted again = store.create(new NewJob(tenant, "job-b", now(), RETENTION, "{}", "key-1",
                "sha256:other", requests(3))).block();

        assertThat(again.created()).isFalse();
        assertThat(again.job()).isEqualTo(first);
        assertThat(again.job().bodyDigest()).isEqualTo("sha256:job-a");
        assertThat(store.find(tenant, "job-b").block()).isNull();
        assertThat(listAll(tenant)).extracting(JobRecord::id).containsExactly("job-a");
    }

    @Test
    void idempotencyKeysOfDifferentTenantsAreIndependent() {
        String other = newTenant();
        create(job("job-a", 1, "key-1", RETENTION));

        Submitted theirs = store.create(new NewJob(other, "job-b", now(), RETENTION, "{}", "key-1", "sha256:b",
                requests(1))).block();

        assertThat(theirs.created()).isTrue();
        assertThat(theirs.job().id()).isEqualTo("job-b");
        assertThat(store.find(tenant, "job-a").block()).isNotNull();
        assertThat(store.find(other, "job-b").block()).isNotNull();
    }

    @Test
    void aDeletedJobNoLongerAnswersItsIdempotencyKey() {
        create(job("job-a", 1, "key-1", RETENTION));
        store.delete(tenant, "job-a").block();

        Submitted next = store.create(job("job-b", 1, "key-1", RETENTION)).block();

        assertThat(next.created()).isTrue();
        assertThat(next.job().id()).isEqualTo("job-b");
    }

    @Test
    void concurrentSubmissionsWithOneKeyStoreOneJob() throws Exception {
        List<Submitted> answers = concurrently(8, i -> store.create(job("job-" + i, 2, "key-1", RETENTION)).block());

        assertThat(answers).filteredOn(Submitted::created).hasSize(1);
        String winner = answers.stream().filter(Submitted::created).findFirst().orElseThrow().job().id();
        assertThat(answers).allSatisfy(answer -> assertThat(answer.job().id()).isEqualTo(winner));
        assertThat(listAll(tenant)).extracting(JobRecord::id).containsExactly(winner);
        for (int i = 0; i < 8; i++) {
            if (!winner.equals("job-" + i)) {
                assertThat(store.find(tenant, "job-" + i).block()).isNull();
            }
        }
    }

    // ---- find, list, published ----

    @Test
    void anotherTenantsJobIsNeverFoundNorListed() {
        String other = newTenant();
        create(job("job-a", 1, null, RETENTION));

        assertThat(store.find(other, "job-a").block()).isNull();
        assertThat(store.request(new RequestRef(other, "job-a", 0)).block()).isNull();
        assertThat(store.results(other, "job-a").collectList().block()).isEmpty();
        assertThat(store.list(other, null, 10).block().jobs()).isEmpty();
        assertThat(store.claim(new RequestRef(other, "job-a", 0), "w1", now(), LEASE).block().kind())
                .isEqualTo(Claim.Kind.GONE);
        assertThat(store.delete(other, "job-a").block()).isFalse();
        assertThat(store.find(tenant, "job-a").block()).isNotNull();
    }

    @Test
    void aTenantsJobsAreListedNewestFirstInPages() {
        Instant base = now();
        for (int i = 1; i <= 5; i++) {
            create(new NewJob(tenant, "job-" + i, base.plusSeconds(i), RETENTION, "{}", null, "d", requests(1)));
        }
        // the same time as job-4: the id breaks the tie, so that a cursor is stable
        create(new NewJob(tenant, "job-4b", base.plusSeconds(4), RETENTION, "{}", null, "d", requests(1)));
        String other = newTenant();
        store.create(new NewJob(other, "job-9", base.plusSeconds(9), RETENTION, "{}", null, "d", requests(1))).block();

        JobPage first = store.list(tenant, null, 4).block();
        assertThat(first.jobs()).extracting(JobRecord::id).containsExactly("job-5", "job-4b", "job-4", "job-3");
        assertThat(first.next()).isEqualTo("job-3");
        JobPage second = store.list(tenant, first.next(), 4).block();
        assertThat(second.jobs()).extracting(JobRecord::id).containsExactly("job-2", "job-1");
        assertThat(second.next()).isNull();

        JobPage exact = store.list(tenant, "job-3", 2).block();
        assertThat(exact.jobs()).extracting(JobRecord::id).containsExactly("job-2", "job-1");
        assertThat(exact.next()).isNull();
        assertThat(store.list(tenant, null, 6).block().next()).isNull();
        assertThat(store.list(tenant, "job-1", 4).block().jobs()).isEmpty();
    }

    @Test
    void aCursorNamingNoJobOfTheTenantGivesAnEmptyPage() {
        create(job("job-a", 1, null, RETENTION));
        create(job("job-b", 1, null, RETENTION));
        store.delete(tenant, "job-b").block();

        assertThat(store.list(tenant, "job-b", 10).block()).isEqualTo(new JobPage(List.of(), null));
        assertThat(store.list(tenant, "job-none", 10).block()).isEqualTo(new JobPage(List.of(), null));
    }

    @Test
    void publishedIsNoted() {
        create(job("job-a", 2, null, RETENTION));

        store.published(tenant, "job-a").block();

        assertThat(store.find(tenant, "job-a").block().published()).isTrue();
        store.published(tenant, "job-none").block();
        assertThat(store.find(tenant, "job-none").block()).isNull();
    }

    // ---- claim ----

    @Test
    void aPendingRequestIsClaimedAndItsJobStarts() {
        JobRecord job = create(job("job-a", 2, null, RETENTION));
        Instant at = job.createdAt().plusSeconds(5);

        Claim claim = store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        assertThat(claim).isEqualTo(new Claim(Claim.Kind.CLAIMED, 1, null));
        JobRecord started = store.find(tenant, "job-a").block();
        assertThat(started.status()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(started.startedAt()).isEqualTo(at);

        store.claim(ref("job-a", 1), "w2", at.plusSeconds(1), LEASE).block();
        assertThat(store.find(tenant, "job-a").block().startedAt()).isEqualTo(at);
    }

    @Test
    void aRequestAnotherWorkerHoldsIsHeldUntilItsLeaseRunsOut() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        assertThat(store.claim(ref("job-a", 0), "w2", at.plusSeconds(1), LEASE).block())
                .isEqualTo(new Claim(Claim.Kind.HELD, 0, at.plus(LEASE)));
        assertThat(store.claim(ref("job-a", 0), "w1", at.plusSeconds(2), LEASE).block())
                .as("the same owner claims it again").isEqualTo(new Claim(Claim.Kind.CLAIMED, 2, null));
        assertThat(store.claim(ref("job-a", 0), "w2", at.plusSeconds(2).plus(LEASE).minusMillis(1), LEASE).block().kind())
                .isEqualTo(Claim.Kind.HELD);
    }

    @Test
    void aRequestWhoseLeaseRanOutIsClaimedByAnotherWorkerAndTheFirstHasLostIt() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        Instant later = at.plus(LEASE);

        assertThat(store.claim(ref("job-a", 0), "w2", later, LEASE).block())
                .isEqualTo(new Claim(Claim.Kind.CLAIMED, 2, null));
        assertThat(store.record(ref("job-a", 0), "w1", 0, bytes("late"), later.plusSeconds(1), LEASE).block())
                .isEqualTo(Recorded.LOST);
        assertThat(store.renew(ref("job-a", 0), "w1", later.plusSeconds(1), LEASE).block()).isFalse();
        assertThat(store.release(ref("job-a", 0), "w1", "gave up").block()).isFalse();
        assertThat(store.answers(ref("job-a", 0)).block()).isEmpty();
        assertThat(store.claim(ref("job-a", 0), "w1", later.plusSeconds(1), LEASE).block())
                .isEqualTo(new Claim(Claim.Kind.HELD, 0, later.plus(LEASE)));
    }

    @Test
    void aRequestWithItsResultIsFinished() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.finish(ref("job-a", 0), completed("r0"), at).block();

        assertThat(store.claim(ref("job-a", 0), "w1", at, LEASE).block()).isEqualTo(Claim.of(Claim.Kind.FINISHED));
        assertThat(store.claim(ref("job-a", 0), "w2", at, LEASE).block()).isEqualTo(Claim.of(Claim.Kind.FINISHED));
    }

    @Test
    void aRequestOfNoJobIsGone() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();

        assertThat(store.claim(ref("job-none", 0), "w1", at, LEASE).block()).isEqualTo(Claim.of(Claim.Kind.GONE));
        assertThat(store.claim(ref("job-a", 2), "w1", at, LEASE).block()).isEqualTo(Claim.of(Claim.Kind.GONE));
        assertThat(store.claim(ref("job-a", -1), "w1", at, LEASE).block()).isEqualTo(Claim.of(Claim.Kind.GONE));
        assertThat(store.find(tenant, "job-a").block().status()).isEqualTo(JobStatus.QUEUED);
    }

    // ---- renew, record, answers ----

    @Test
    void onlyTheOwnerRenewsItsLease() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        assertThat(store.renew(ref("job-a", 0), "w1", at.plusSeconds(20), LEASE).block()).isTrue();
        assertThat(store.claim(ref("job-a", 0), "w2", at.plusSeconds(40), LEASE).block())
                .isEqualTo(new Claim(Claim.Kind.HELD, 0, at.plusSeconds(20).plus(LEASE)));
        assertThat(store.renew(ref("job-a", 0), "w2", at.plusSeconds(40), LEASE).block()).isFalse();
        assertThat(store.renew(ref("job-none", 0), "w1", at, LEASE).block()).isFalse();

        store.finish(ref("job-a", 0), completed("r0"), at.plusSeconds(41)).block();
        assertThat(store.renew(ref("job-a", 0), "w1", at.plusSeconds(42), LEASE).block()).isFalse();
    }

    @Test
    void recordedAnswersAreKeptInSegmentOrderAndRenewTheLease() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        for (int segment = 0; segment <= 11; segment++) {
            assertThat(store.record(ref("job-a", 0), "w1", segment, bytes("answer " + segment), at.plusSeconds(segment), LEASE)
                    .block()).isEqualTo(Recorded.KEPT);
        }
        assertThat(store.record(ref("job-a", 0), "w1", 1, bytes("answer 1 again"), at.plusSeconds(12), LEASE).block())
                .as("recording a segment again replaces it").isEqualTo(Recorded.KEPT);

        List<String> answers = store.answers(ref("job-a", 0)).block().stream()
                .map(answer -> new String(answer, StandardCharsets.UTF_8)).toList();
        List<String> expected = new ArrayList<>(IntStream.rangeClosed(0, 11).mapToObj(s -> "answer " + s).toList());
        expected.set(1, "answer 1 again");
        assertThat(answers).containsExactlyElementsOf(expected);
        assertThat(store.claim(ref("job-a", 0), "w2", at.plusSeconds(12).plus(LEASE).minusMillis(1), LEASE).block())
                .isEqualTo(new Claim(Claim.Kind.HELD, 0, at.plusSeconds(12).plus(LEASE)));
    }

    @Test
    void answersAreBytesAsRecorded() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        byte[] answer = new byte[256];
        for (int i = 0; i < answer.length; i++) {
            answer[i] = (byte) i;
        }

        store.record(ref("job-a", 0), "w1", 0, answer, at, LEASE).block();

        assertThat(store.answers(ref("job-a", 0)).block()).singleElement().isEqualTo(answer);
    }

    @Test
    void aRequestStartsOverOnceWithItsAnswersDroppedAndOnlyByItsOwner() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 1, bytes("a1"), at, LEASE).block();

        assertThat(store.restart(ref("job-a", 0), "w2").block()).as("not the owner's").isFalse();
        assertThat(store.answers(ref("job-a", 0)).block()).hasSize(2);
        assertThat(store.restart(ref("job-a", 1), "w1").block()).as("a pending request").isFalse();
        assertThat(store.restart(ref("job-none", 0), "w1").block()).as("no job").isFalse();

        assertThat(store.restart(ref("job-a", 0), "w1").block()).isTrue();
        assertThat(store.answers(ref("job-a", 0)).block()).isEmpty();
        assertThat(store.record(ref("job-a", 0), "w1", 0, bytes("b0"), at, LEASE).block()).isEqualTo(Recorded.KEPT);
        assertThat(store.restart(ref("job-a", 0), "w1").block()).as("once per request").isFalse();
        assertThat(store.answers(ref("job-a", 0)).block()).singleElement().isEqualTo(bytes("b0"));

        // a released request taken by another worker has still started over once
        store.release(ref("job-a", 0), "w1", null).block();
        store.claim(ref("job-a", 0), "w2", at, LEASE).block();
        assertThat(store.restart(ref("job-a", 0), "w2").block()).isFalse();
    }

    @Test
    void aWorkerThatDoesNotHoldTheRequestRecordsNothing() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        assertThat(store.record(ref("job-a", 0), "w2", 0, bytes("x"), at, LEASE).block()).isEqualTo(Recorded.LOST);
        assertThat(store.record(ref("job-a", 1), "w1", 0, bytes("x"), at, LEASE).block())
                .as("a pending request").isEqualTo(Recorded.LOST);
        assertThat(store.record(ref("job-none", 0), "w1", 0, bytes("x"), at, LEASE).block()).isEqualTo(Recorded.LOST);
        assertThat(store.answers(ref("job-a", 0)).block()).isEmpty();
        assertThat(store.answers(ref("job-a", 1)).block()).isEmpty();
        assertThat(store.answers(ref("job-none", 0)).block()).isEmpty();
    }

    @Test
    void recordingAfterACancelKeepsTheAnswerAndSaysStop() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.stop(tenant, "job-a", Stop.CANCEL, at.plusSeconds(1), CANCELLED_LINE).block();

        assertThat(store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at.plusSeconds(2), LEASE).block())
                .isEqualTo(Recorded.STOPPING);
        assertThat(store.answers(ref("job-a", 0)).block()).hasSize(1);
    }

    @Test
    void answersStayWhenTheRequestIsReleasedAndGoWhenItFinishes() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at, LEASE).block();
        store.release(ref("job-a", 0), "w1", "inference unavailable").block();

        assertThat(store.answers(ref("job-a", 0)).block()).hasSize(1);
        store.claim(ref("job-a", 0), "w2", at.plusSeconds(1), LEASE).block();
        store.record(ref("job-a", 0), "w2", 1, bytes("a1"), at.plusSeconds(2), LEASE).block();
        assertThat(store.answers(ref("job-a", 0)).block()).extracting(answer -> new String(answer, StandardCharsets.UTF_8))
                .containsExactly("a0", "a1");

        store.finish(ref("job-a", 0), completed("r0"), at.plusSeconds(3)).block();
        assertThat(store.answers(ref("job-a", 0)).block()).isEmpty();
    }

    // ---- release, last error ----

    @Test
    void aReleasedRequestIsPendingAgainWithItsLastError() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        assertThat(store.release(ref("job-a", 0), "w2", "not mine").block()).isFalse();
        assertThat(store.lastError(ref("job-a", 0)).block()).isNull();
        assertThat(store.release(ref("job-a", 0), "w1", "inference unavailable").block()).isTrue();

        assertThat(store.lastError(ref("job-a", 0)).block()).isEqualTo("inference unavailable");
        assertThat(store.claim(ref("job-a", 0), "w2", at.plusSeconds(1), LEASE).block())
                .as("no lease left to wait for").isEqualTo(new Claim(Claim.Kind.CLAIMED, 2, null));
        assertThat(store.renew(ref("job-a", 0), "w1", at.plusSeconds(1), LEASE).block()).isFalse();

        assertThat(store.release(ref("job-a", 0), "w2", null).block()).isTrue();
        assertThat(store.lastError(ref("job-a", 0)).block()).as("released without a reason").isNull();
        assertThat(store.release(ref("job-a", 0), "w2", "again").block()).as("no longer held").isFalse();
        assertThat(store.release(ref("job-none", 0), "w2", "x").block()).isFalse();
        assertThat(store.lastError(ref("job-none", 0)).block()).isNull();
    }

    @Test
    void aFinishedRequestCannotBeReleased() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.finish(ref("job-a", 0), completed("r0"), at).block();

        assertThat(store.release(ref("job-a", 0), "w1", "late").block()).isFalse();
        assertThat(store.claim(ref("job-a", 0), "w2", at, LEASE).block().kind()).isEqualTo(Claim.Kind.FINISHED);
    }

    // ---- finish, counts, status ----

    @Test
    void aRequestGetsOneResult() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        assertThat(store.finish(ref("job-a", 0), completed("first"), at).block()).isTrue();
        assertThat(store.finish(ref("job-a", 0), failed("second"), at).block()).isFalse();
        assertThat(store.finish(ref("job-a", 2), completed("none"), at).block()).isFalse();
        assertThat(store.finish(ref("job-a", -1), completed("none"), at).block()).isFalse();
        assertThat(store.finish(ref("job-none", 0), completed("none"), at).block()).isFalse();

        assertThat(store.results(tenant, "job-a").collectList().block()).containsExactly("first");
        assertThat(store.find(tenant, "job-a").block().counts()).isEqualTo(new JobCounts(2, 1, 0, 0));
    }

    @Test
    void concurrentFinishesOfOneRequestStoreOneResult() throws Exception {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();

        List<Boolean> stored = concurrently(8, i -> store.finish(ref("job-a", 0), completed("line " + i), at).block());

        assertThat(stored).containsOnlyOnce(true);
        assertThat(store.results(tenant, "job-a").collectList().block()).hasSize(1);
        assertThat(store.find(tenant, "job-a").block().counts()).isEqualTo(new JobCounts(2, 1, 0, 0));
    }

    @Test
    void concurrentLastResultsFinishTheJobOnce() throws Exception {
        create(job("job-a", 8, null, RETENTION));
        Instant at = now();

        List<Boolean> stored = concurrently(8, i -> store.finish(ref("job-a", i), completed("line " + i), at.plusMillis(i))
                .block());

        assertThat(stored).containsOnly(true);
        JobRecord done = store.find(tenant, "job-a").block();
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.counts()).isEqualTo(new JobCounts(8, 8, 0, 0));
        assertThat(store.results(tenant, "job-a").collectList().block()).hasSize(8);
    }

    @Test
    void theLastResultCompletesTheJob() {
        create(job("job-a", 3, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.finish(ref("job-a", 0), completed("r0"), at.plusSeconds(1)).block();
        store.finish(ref("job-a", 1), failed("r1"), at.plusSeconds(2)).block();

        JobRecord running = store.find(tenant, "job-a").block();
        assertThat(running.status()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(running.completedAt()).isNull();
        assertThat(running.counts()).isEqualTo(new JobCounts(3, 1, 1, 0));

        store.finish(ref("job-a", 2), completed("r2"), at.plusSeconds(3)).block();

        JobRecord done = store.find(tenant, "job-a").block();
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.counts()).isEqualTo(new JobCounts(3, 2, 1, 0));
        assertThat(done.completedAt()).isEqualTo(at.plusSeconds(3));
        assertThat(done.expiresAt()).isEqualTo(at.plusSeconds(3).plus(RETENTION));
        assertThat(done.startedAt()).isEqualTo(at);
    }

    @Test
    void aJobWhoseRequestsAllFailedFailed() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.finish(ref("job-a", 0), failed("r0"), at).block();
        store.finish(ref("job-a", 1), failed("r1"), at.plusSeconds(1)).block();

        JobRecord done = store.find(tenant, "job-a").block();
        assertThat(done.status()).isEqualTo(JobStatus.FAILED);
        assertThat(done.counts()).isEqualTo(new JobCounts(2, 0, 2, 0));
        assertThat(done.completedAt()).isEqualTo(at.plusSeconds(1));
        assertThat(done.expiresAt()).isEqualTo(at.plusSeconds(1).plus(RETENTION));
    }

    @Test
    void resultsComeInTheOrderTheRequestsFinished() {
        create(job("job-a", 3, null, RETENTION));
        Instant at = now();
        store.finish(ref("job-a", 2), completed("r2"), at).block();
        store.finish(ref("job-a", 0), failed("r0"), at).block();
        store.finish(ref("job-a", 1), completed("r1 \"quoted\" ünïcode\\n"), at).block();

        assertThat(store.results(tenant, "job-a").collectList().block())
                .containsExactly("r2", "r0", "r1 \"quoted\" ünïcode\\n");
    }

    @Test
    void manyResultsComeBackWhole() {
        int n = 2500;
        create(job("job-a", n, null, RETENTION));
        Instant at = now();
        for (int i = n - 1; i >= 0; i--) {
            store.finish(ref("job-a", i), completed("r" + i), at).block();
        }

        List<String> results = store.results(tenant, "job-a").collectList().block();

        assertThat(results).hasSize(n);
        assertThat(results.get(0)).isEqualTo("r" + (n - 1));
        assertThat(results.get(n - 1)).isEqualTo("r0");
        assertThat(store.find(tenant, "job-a").block().status()).isEqualTo(JobStatus.COMPLETED);
    }

    // ---- stop ----

    @Test
    void cancellingAJobWithNothingRunningCancelsEveryRequestAtOnce() {
        create(job("job-a", 3, null, RETENTION));
        Instant at = now();

        JobRecord cancelled = store.stop(tenant, "job-a", Stop.CANCEL, at, CANCELLED_LINE).block();

        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.counts()).isEqualTo(new JobCounts(3, 0, 0, 3));
        assertThat(cancelled.completedAt()).isEqualTo(at);
        assertThat(cancelled.expiresAt()).isEqualTo(at.plus(RETENTION));
        assertThat(store.find(tenant, "job-a").block()).isEqualTo(cancelled);
        assertThat(store.results(tenant, "job-a").collectList().block()).containsExactlyInAnyOrder(
                CANCELLED_LINE.of("c0", Stop.CANCEL), CANCELLED_LINE.of("c1", Stop.CANCEL),
                CANCELLED_LINE.of("c2", Stop.CANCEL));
        assertThat(store.claim(ref("job-a", 0), "w1", at, LEASE).block().kind()).isEqualTo(Claim.Kind.FINISHED);
    }

    @Test
    void cancellingLetsRunningRequestsFinishAndTheLastOneCancelsTheJob() {
        create(job("job-a", 3, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.finish(ref("job-a", 1), completed("r1"), at).block();

        JobRecord cancelling = store.stop(tenant, "job-a", Stop.CANCEL, at.plusSeconds(1), CANCELLED_LINE).block();

        assertThat(cancelling.status()).isEqualTo(JobStatus.CANCELLING);
        assertThat(cancelling.counts()).isEqualTo(new JobCounts(3, 1, 0, 1));
        assertThat(cancelling.completedAt()).isNull();
        assertThat(store.results(tenant, "job-a").collectList().block())
                .containsExactly("r1", CANCELLED_LINE.of("c2", Stop.CANCEL));
        assertThat(store.claim(ref("job-a", 2), "w2", at.plusSeconds(2), LEASE).block().kind()).isEqualTo(Claim.Kind.FINISHED);
        assertThat(store.active().map(JobRecord::id).collectList().block()).contains("job-a");

        assertThat(store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at.plusSeconds(2), LEASE).block())
                .isEqualTo(Recorded.STOPPING);
        assertThat(store.finish(ref("job-a", 0), completed("r0"), at.plusSeconds(3)).block()).isTrue();

        JobRecord cancelled = store.find(tenant, "job-a").block();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.counts()).isEqualTo(new JobCounts(3, 2, 0, 1));
        assertThat(cancelled.completedAt()).isEqualTo(at.plusSeconds(3));
        assertThat(cancelled.expiresAt()).isEqualTo(at.plusSeconds(3).plus(RETENTION));
    }

    @Test
    void noRequestStartsAfterACancel() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.claim(ref("job-a", 1), "w1", at, LEASE).block();
        store.stop(tenant, "job-a", Stop.CANCEL, at.plusSeconds(1), CANCELLED_LINE).block();

        store.release(ref("job-a", 0), "w1", "shutting down").block();
        assertThat(store.claim(ref("job-a", 0), "w2", at.plusSeconds(2), LEASE).block())
                .as("released after the cancel").isEqualTo(Claim.of(Claim.Kind.STOPPED));
        assertThat(store.claim(ref("job-a", 1), "w2", at.plus(LEASE), LEASE).block())
                .as("its lease ran out after the cancel").isEqualTo(Claim.of(Claim.Kind.STOPPED));

        store.finish(ref("job-a", 0), cancelled(CANCELLED_LINE.of("c0", Stop.CANCEL)), at.plusSeconds(3)).block();
        store.finish(ref("job-a", 1), cancelled(CANCELLED_LINE.of("c1", Stop.CANCEL)), at.plusSeconds(4)).block();
        JobRecord cancelled = store.find(tenant, "job-a").block();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.counts()).isEqualTo(new JobCounts(2, 0, 0, 2));
    }

    @Test
    void expiringAJobGivesUpItsPendingRequestsAndKeepsItAnotherRetention() {
        create(job("job-a", 2, null, RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        Instant expiry = at.plusSeconds(10);

        JobRecord expired = store.stop(tenant, "job-a", Stop.EXPIRE, expiry, CANCELLED_LINE).block();

        assertThat(expired.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(expired.expiresAt()).isEqualTo(expiry.plus(RETENTION));
        assertThat(expired.completedAt()).as("a request still runs").isNull();
        assertThat(expired.counts()).isEqualTo(new JobCounts(2, 0, 0, 1));
        assertThat(store.results(tenant, "job-a").collectList().block()).containsExactly(CANCELLED_LINE.of("c1", Stop.EXPIRE));
        assertThat(store.active().map(JobRecord::id).collectList().block()).contains("job-a");
        assertThat(store.record(ref("job-a", 0), "w1", 0, bytes("a0"), expiry, LEASE).block()).isEqualTo(Recorded.STOPPING);

        store.finish(ref("job-a", 0), cancelled(CANCELLED_LINE.of("c0", Stop.EXPIRE)), expiry.plusSeconds(1)).block();

        JobRecord done = store.find(tenant, "job-a").block();
        assertThat(done.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(done.counts()).isEqualTo(new JobCounts(2, 0, 0, 2));
        assertThat(done.completedAt()).isEqualTo(expiry.plusSeconds(1));
        assertThat(done.expiresAt()).isEqualTo(expiry.plusSeconds(1).plus(RETENTION));
    }

    @Test
    void stoppingAFinishedOrCancellingJobAnswersItAsItIs() {
        create(job("job-a", 1, null, RETENTION));
        Instant at = now();
        store.finish(ref("job-a", 0), completed("r0"), at).block();
        JobRecord completed = store.find(tenant, "job-a").block();

        assertThat(store.stop(tenant, "job-a", Stop.CANCEL, at.plusSeconds(1), CANCELLED_LINE).block()).isEqualTo(completed);
        assertThat(store.stop(tenant, "job-a", Stop.EXPIRE, at.plusSeconds(1), CANCELLED_LINE).block()).isEqualTo(completed);
        assertThat(store.find(tenant, "job-a").block()).isEqualTo(completed);

        create(job("job-b", 1, null, RETENTION));
        store.claim(ref("job-b", 0), "w1", at, LEASE).block();
        JobRecord cancelling = store.stop(tenant, "job-b", Stop.CANCEL, at.plusSeconds(1), CANCELLED_LINE).block();
        assertThat(store.stop(tenant, "job-b", Stop.EXPIRE, at.plusSeconds(2), CANCELLED_LINE).block()).isEqualTo(cancelling);
        assertThat(store.stop(tenant, "job-b", Stop.CANCEL, at.plusSeconds(2), CANCELLED_LINE).block()).isEqualTo(cancelling);

        assertThat(store.stop(tenant, "job-none", Stop.CANCEL, at, CANCELLED_LINE).block()).isNull();
    }

    @Test
    void aJobOfTenThousandRequestsIsStoppedOrphanedAndDeletedWhole() {
        int n = 10_000;
        JobRecord job = create(job("job-a", n, "key-1", RETENTION));
        store.published(tenant, "job-a").block();
        Instant at = now();
        store.claim(ref("job-a", n - 1), "w1", at, LEASE).block();

        JobRecord cancelling = store.stop(tenant, "job-a", Stop.CANCEL, at, CANCELLED_LINE).block();

        assertThat(cancelling.status()).isEqualTo(JobStatus.CANCELLING);
        assertThat(cancelling.counts()).isEqualTo(new JobCounts(n, 0, 0, n - 1));
        List<String> results = store.results(tenant, "job-a").collectList().block();
        assertThat(results).hasSize(n - 1).contains(CANCELLED_LINE.of("c0", Stop.CANCEL), CANCELLED_LINE.of("c9998", Stop.CANCEL));
        assertThat(store.orphans(tenant, "job-a", at.plus(LEASE).plus(IDLE).plusMillis(1), IDLE).block())
                .containsExactly(n - 1);
        assertThat(store.request(ref("job-a", n - 1)).block().customId()).isEqualTo("c9999");
        assertThat(store.delete(tenant, "job-a").block()).isTrue();
        assertThat(store.find(tenant, job.id()).block()).isNull();
    }

    // ---- delete, active ----

    @Test
    void aDeletedJobIsGoneWithItsRequestsAnswersAndResults() {
        create(job("job-a", 3, "key-1", RETENTION));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at, LEASE).block();
        store.finish(ref("job-a", 1), completed("r1"), at).block();

        assertThat(store.delete(tenant, "job-a").block()).isTrue();

        assertThat(store.find(tenant, "job-a").block()).isNull();
        assertThat(listAll(tenant)).isEmpty();
        assertThat(store.request(ref("job-a", 0)).block()).isNull();
        assertThat(store.answers(ref("job-a", 0)).block()).isEmpty();
        assertThat(store.results(tenant, "job-a").collectList().block()).isEmpty();
        assertThat(store.active().map(JobRecord::id).collectList().block()).doesNotContain("job-a");
        assertThat(store.claim(ref("job-a", 2), "w1", at, LEASE).block().kind()).isEqualTo(Claim.Kind.GONE);
        assertThat(store.record(ref("job-a", 0), "w1", 1, bytes("a1"), at, LEASE).block()).isEqualTo(Recorded.LOST);
        assertThat(store.finish(ref("job-a", 0), completed("r0"), at).block()).isFalse();
        assertThat(store.stop(tenant, "job-a", Stop.CANCEL, at, CANCELLED_LINE).block()).isNull();
        assertThat(store.orphans(tenant, "job-a", at.plus(IDLE).plusSeconds(1), IDLE).block()).isEmpty();
        assertThat(store.delete(tenant, "job-a").block()).isFalse();
        assertThat(store.find(tenant, "job-a").block()).as("nothing wrote it back").isNull();
    }

    @Test
    void activeJobsAreEveryTenantsUnfinishedOnes() {
        String other = newTenant();
        Instant at = now();
        create(job("job-a", 1, null, RETENTION));
        store.create(new NewJob(other, "job-b", at, RETENTION, "{}", null, "d", requests(1))).block();
        create(job("job-c", 1, null, RETENTION));
        store.finish(ref("job-c", 0), completed("r0"), at).block();
        create(job("job-d", 2, null, RETENTION));
        store.claim(ref("job-d", 0), "w1", at, LEASE).block();
        store.stop(tenant, "job-d", Stop.CANCEL, at, CANCELLED_LINE).block();
        create(job("job-e", 1, null, RETENTION));
        store.stop(tenant, "job-e", Stop.CANCEL, at, CANCELLED_LINE).block();

        List<JobRecord> active = store.active().filter(job -> job.tenant().equals(tenant) || job.tenant().equals(other))
                .collectList().block();

        assertThat(active).extracting(JobRecord::id).containsExactlyInAnyOrder("job-a", "job-b", "job-d");
        assertThat(active).filteredOn(job -> job.id().equals("job-d")).singleElement()
                .extracting(JobRecord::status).isEqualTo(JobStatus.CANCELLING);
    }

    // ---- orphans ----

    @Test
    void pendingRequestsOfAJobNeverPublishedAreOrphansOnceIdle() {
        JobRecord job = create(job("job-a", 3, null, RETENTION));
        Instant created = job.createdAt();
        store.claim(ref("job-a", 0), "w1", created, LEASE).block();

        assertThat(store.orphans(tenant, "job-a", created.plus(IDLE), IDLE).block()).isEmpty();
        assertThat(store.orphans(tenant, "job-a", created.plus(IDLE).plusMillis(1), IDLE).block())
                .as("the running one is no orphan").containsExactly(1, 2);
        assertThat(store.orphans(tenant, "job-a", created.plus(IDLE).plusMillis(2), IDLE).block())
                .as("not answered again within idle").isEmpty();
        assertThat(store.orphans(tenant, "job-a", created.plus(LEASE).plus(IDLE).plusMillis(1), IDLE).block())
                .as("the running one's lease ran out idle ago").containsExactly(0);
        assertThat(store.orphans(tenant, "job-a", created.plus(IDLE).plus(IDLE).plusMillis(1), IDLE).block())
                .as("answered again after idle").containsExactly(1, 2);
    }

    @Test
    void pendingRequestsOfAPublishedJobAreNoOrphans() {
        JobRecord job = create(job("job-a", 2, null, RETENTION));
        store.published(tenant, "job-a").block();

        assertThat(store.orphans(tenant, "job-a", job.createdAt().plus(IDLE.multipliedBy(10)), IDLE).block()).isEmpty();
    }

    @Test
    void runningRequestsWhoseLeaseRanOutLongAgoAreOrphans() {
        JobRecord job = create(job("job-a", 3, null, RETENTION));
        store.published(tenant, "job-a").block();
        Instant at = job.createdAt();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.claim(ref("job-a", 1), "w1", at, LEASE).block();
        Instant abandoned = at.plus(LEASE).plus(IDLE);
        store.renew(ref("job-a", 1), "w1", abandoned, LEASE).block();

        assertThat(store.orphans(tenant, "job-a", abandoned, IDLE).block()).isEmpty();
        assertThat(store.orphans(tenant, "job-a", abandoned.plusMillis(1), IDLE).block()).containsExactly(0);
        assertThat(store.orphans(tenant, "job-a", abandoned.plusMillis(2), IDLE).block())
                .as("not answered again within idle").isEmpty();
        assertThat(store.orphans(tenant, "job-a", abandoned.plusMillis(1).plus(IDLE).plusMillis(1), IDLE).block())
                .containsExactly(0);
    }

    @Test
    void aFinishedJobHasNoOrphans() {
        JobRecord job = create(job("job-a", 1, null, RETENTION));
        store.claim(ref("job-a", 0), "w1", job.createdAt(), LEASE).block();
        store.finish(ref("job-a", 0), completed("r0"), job.createdAt()).block();

        assertThat(store.orphans(tenant, "job-a", job.createdAt().plus(IDLE.multipliedBy(10)), IDLE).block()).isEmpty();
        assertThat(store.orphans(tenant, "job-none", job.createdAt().plus(IDLE.multipliedBy(10)), IDLE).block()).isEmpty();
    }

    // ---- expiry ----

    @Test
    void aFinishedJobIsGoneOnceItsRetentionPassed() {
        Duration retention = shortRetention();
        create(job("job-a", 1, "key-1", retention));
        Instant at = now();
        store.claim(ref("job-a", 0), "w1", at, LEASE).block();
        store.record(ref("job-a", 0), "w1", 0, bytes("a0"), at, LEASE).block();
        store.finish(ref("job-a", 0), completed("r0"), at).block();
        JobRecord done = store.find(tenant, "job-a").block();
        assertThat(done.expiresAt()).isEqualTo(at.plus(retention));

        passTime(done.expiresAt());

        assertGone("job-a");
        assertThat(store.create(job("job-b", 1, "key-1", RETENTION)).block().created())
                .as("its idempotency key is free").isTrue();
    }

    @Test
    void aJobNotFinishedInItsRetentionStaysToBeExpiredAndIsGoneOneRetentionLater() {
        Duration retention = shortRetention();
        JobRecord job = create(job("job-a", 2, null, retention));
        store.claim(ref("job-a", 0), "w1", job.createdAt(), LEASE).block();

        passTime(job.expiresAt());

        assertThat(store.find(tenant, "job-a").block().status()).as("left for the sweeper to expire")
                .isEqualTo(JobStatus.IN_PROGRESS);
        Instant at = now();
        JobRecord expired = store.stop(tenant, "job-a", Stop.EXPIRE, at, CANCELLED_LINE).block();
        assertThat(expired.expiresAt()).isEqualTo(at.plus(retention));
        Instant finished = now();
        store.finish(ref("job-a", 0), cancelled(CANCELLED_LINE.of("c0", Stop.EXPIRE)), finished).block();
        JobRecord done = store.find(tenant, "job-a").block();
        assertThat(done.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(done.expiresAt()).isEqualTo(finished.plus(retention));

        passTime(done.expiresAt());

        assertGone("job-a");
    }

    @Test
    void aJobThatNoOneExpiresIsGoneOneRetentionAfterItsExpiry() {
        Duration retention = shortRetention();
        JobRecord job = create(job("job-a", 1, null, retention));

        passTime(job.expiresAt());
        assertThat(store.find(tenant, "job-a").block()).isNotNull();
        passTime(job.expiresAt().plus(retention));

        assertGone("job-a");
    }

    private void assertGone(String id) {
        assertThat(store.find(tenant, id).block()).isNull();
        assertThat(listAll(tenant)).extracting(JobRecord::id).doesNotContain(id);
        assertThat(store.results(tenant, id).collectList().block()).isEmpty();
        assertThat(store.answers(ref(id, 0)).block()).isEmpty();
        assertThat(store.request(ref(id, 0)).block()).isNull();
        assertThat(store.claim(ref(id, 0), "w1", now(), LEASE).block().kind()).isEqualTo(Claim.Kind.GONE);
        assertThat(store.active().map(JobRecord::id).collectList().block()).doesNotContain(id);
        assertThat(store.delete(tenant, id).block()).isFalse();
    }

    // ---- helpers ----

    protected String newTenant() {
        String t = "t-" + UUID.randomUUID().toString().substring(0, 13);
        tenants.add(t);
        return t;
    }

    protected NewJob job(String id, int requests, String idempotencyKey, Duration retention) {
        return new NewJob(tenant, id, now(), retention, "{\"project\":\"zürich\"}", idempotencyKey, "sha256:" + id,
                requests(requests));
    }

    protected static List<JobRequest> requests(int n) {
        List<JobRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            requests.add(new JobRequest("c" + i, "Text " + i + ".\nIts second line: ünïcode ✓, \"quotes\".",
                    "gemma2-small", i % 2 == 0 ? "extractive" : "abstractive", i % 2 == 0 ? 3 : null,
                    i % 2 == 0 ? null : 50));
        }
        return requests;
    }

    protected JobRecord create(NewJob job) {
        Submitted submitted = store.create(job).block();
        assertThat(submitted.created()).isTrue();
        return submitted.job();
    }

    protected RequestRef ref(String id, int index) {
        return new RequestRef(tenant, id, index);
    }

    protected List<JobRecord> listAll(String t) {
        List<JobRecord> all = new ArrayList<>();
        String after = null;
        do {
            JobPage page = store.list(t, after, 3).block();
            all.addAll(page.jobs());
            after = page.next();
        } while (after != null);
        return all;
    }

    protected static RequestOutcome completed(String line) {
        return new RequestOutcome(RequestOutcome.Kind.COMPLETED, line);
    }

    protected static RequestOutcome failed(String line) {
        return new RequestOutcome(RequestOutcome.Kind.FAILED, line);
    }

    protected static RequestOutcome cancelled(String line) {
        return new RequestOutcome(RequestOutcome.Kind.CANCELLED, line);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code n} calls at once (released together) and answers their results in call order. */
    protected static <T> List<T> concurrently(int n, IntCall<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<T> task = () -> {
                    start.await();
                    return call.apply(index);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A call made with its index. */
    @FunctionalInterface
    protected interface IntCall<T> {
        T apply(int index);
    }
}
