package io.baton.memory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The semantics of {@link CheckpointStore}, one test per rule of its contract. Every
 * implementation runs this suite by extending it. Each test works in its own random tenant and
 * deletes what it wrote, so the suite can share a server with other tests.
 */
public abstract class CheckpointStoreContract {

    /** Keep 3, one hour TTL, no quota: the policy of most tests. */
    protected static final StorePolicy POLICY = new StorePolicy(3, Duration.ofHours(1), 0);
    protected static final String MODEL = "jamba-tiny";
    protected static final String DIGEST = "3f2a9c0d5e8b7a61f4c2d9e0b1a3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7";

    private final List<CheckpointStore> opened = new ArrayList<>();
    private final List<String> tenants = new ArrayList<>();

    /** The store under test, with {@link #POLICY}. */
    protected CheckpointStore store;
    /** This test's own tenant. */
    protected String tenant;

    /** A fresh store of the implementation under test, applying {@code policy}. */
    protected abstract CheckpointStore newStore(StorePolicy policy);

    @BeforeEach
    void openStore() {
        tenant = newTenant();
        store = open(POLICY);
    }

    @AfterEach
    void deleteWhatTheTestWrote() throws Exception {
        try {
            for (String t : tenants) {
                for (DocumentSummary summary : listAll(store, t, 100)) {
                    store.delete(new DocumentKey(t, summary.document())).block();
                }
            }
        } finally {
            for (CheckpointStore s : opened) {
                if (s instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        }
    }

    // ---- compare-and-set ----

    @Test
    void theFirstCheckpointMustBeZero() {
        DocumentKey key = doc("first");

        assertThatThrownBy(() -> store.put(key, record(1, "one")).block())
                .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                    assertThat(e.head()).isNull();
                    assertThat(e.expected()).isZero();
                });
        assertThat(store.head(key).block()).isNull();

        PutResult first = store.put(key, record(0, "zero")).block();
        assertThat(first.created()).isTrue();
        assertThat(first.head().segment()).isZero();
        assertThat(first.head().version()).isEqualTo(1);
    }

    @Test
    void aPutIsAcceptedOnlyForTheSegmentAfterTheHead() {
        DocumentKey key = doc("cas");
        write(key, 0, 1);

        for (long wrong : new long[] {3, 4, 17}) {
            assertThatThrownBy(() -> store.put(key, record(wrong, "skip")).block())
                    .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                        assertThat(e.head().segment()).isEqualTo(1);
                        assertThat(e.expected()).isEqualTo(2);
                    });
        }
        assertThat(store.head(key).block().segment()).isEqualTo(1);

        PutResult next = store.put(key, record(2, "c2")).block();
        assertThat(next.created()).isTrue();
        assertThat(next.head().segment()).isEqualTo(2);
        assertThat(next.head().version()).isEqualTo(3);
    }

    @Test
    void theHeadReportsWhatWasWrittenAndTheBytesComeBackExactly() {
        DocumentKey key = doc("roundtrip");
        byte[] zero = bytes(0, "a", 1000);
        byte[] one = bytes(1, "a", 777);
        store.put(key, new CheckpointRecord(0, 512, MODEL, DIGEST, 4000, zero)).block();
        PutResult result = store.put(key, new CheckpointRecord(1, 1024, MODEL, DIGEST, 3000, one)).block();

        Head head = store.head(key).block();
        assertThat(head).isEqualTo(result.head());
        assertThat(head).isEqualTo(new Head(1, 1024, MODEL, DIGEST, 3000, 1777, 2, 0));

        StoredCheckpoint stored = store.checkpoint(key, 0).block();
        assertThat(stored.segment()).isZero();
        assertThat(stored.stored()).isEqualTo(zero);
        assertThat(stored.head()).isEqualTo(head);
        assertThat(store.checkpoint(key, 1).block().stored()).isEqualTo(one);
    }

    @Test
    void allByteValuesSurviveTheRoundTrip() {
        DocumentKey key = doc("binary");
        byte[] all = new byte[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        store.put(key, new CheckpointRecord(0, 1, MODEL, DIGEST, all.length, all)).block();
        assertThat(store.checkpoint(key, 0).block().stored()).isEqualTo(all);
    }

    // ---- idempotence ----

    @Test
    void anIdenticalRepeatIsIdempotentAndDoesNotBumpTheVersion() {
        DocumentKey key = doc("repeat");
        write(key, 0, 1);
        Head before = store.head(key).block();

        PutResult repeatHead = store.put(key, record(1, "c1")).block();
        assertThat(repeatHead.created()).isFalse();
        assertThat(repeatHead.head()).isEqualTo(before);

        PutResult repeatOlder = store.put(key, record(0, "c0")).block();
        assertThat(repeatOlder.created()).isFalse();
        assertThat(repeatOlder.head()).isEqualTo(before);

        assertThat(store.head(key).block()).isEqualTo(before);
    }

    @Test
    void differentBytesForAnExistingSegmentConflictWithTheCurrentHead() {
        DocumentKey key = doc("differs");
        write(key, 0, 2);
        byte[] kept = store.checkpoint(key, 1).block().stored();

        assertThatThrownBy(() -> store.put(key, record(1, "something else")).block())
                .isInstanceOfSatisfying(CheckpointConflictException.class, e -> {
                    assertThat(e.head().segment()).isEqualTo(2);
                    assertThat(e.head().version()).isEqualTo(3);
                    assertThat(e.segment()).isEqualTo(1);
                    assertThat(e.expected()).isEqualTo(3);
                });
        assertThat(store.checkpoint(key, 1).block().stored()).isEqualTo(kept);
        assertThat(store.head(key).block().version()).isEqualTo(3);
    }

    // ---- parent digest ----

    @Test
    void aPutNamingTheKeptParentIsAcceptedAndReportsItsOwnDigest() {
        DocumentKey key = doc("parent-ok");
        PutResult zero = store.put(key, record(0, "c0")).block();
        assertThat(zero.digest()).isEqualTo(CheckpointRecord.digest(text("c0")));

        PutResult one = store.put(key, record(1, "c1").withParent(zero.digest())).block();
        assertThat(one.created()).isTrue();
        assertThat(one.digest()).isEqualTo(CheckpointRecord.digest(text("c1")));
        assertThat(store.put(key, record(2, "c2").withParent(one.digest())).block().head().segment()).isEqualTo(2);
    }

    @Test
    void aPutNamingAnotherParentIsRefusedAndChangesNothing() {
        DocumentKey key = doc("parent-stale");
        write(key, 0, 1);
        Head before = store.head(key).block();
        // the digest of a checkpoint 1 this writer computed, where another one is kept
        String stale = CheckpointRecord.digest(text("c1 as another writer had it"));

        assertThatThrownBy(() -> store.put(key, record(2, "c2").withParent(stale)).block())
                .isInstanceOfSatisfying(ParentMismatchException.class, e -> assertThat(e.segment()).isEqualTo(2));
        assertThat(store.head(key).block()).isEqualTo(before);
        assertThatThrownBy(() -> store.checkpoint(key, 2).block()).isInstanceOf(CheckpointNotFoundException.class);
    }

    @Test
    void aDocumentDeletedAndWrittenAgainRefusesAWriterHoldingTheOldState() {
        DocumentKey key = doc("parent-reborn");
        write(key, 0, 0);
        String old = store.put(key, record(1, "old c1")).block().digest();
        store.delete(key).block();
        write(key, 0, 1);

        assertThatThrownBy(() -> store.put(key, record(2, "c2").withParent(old)).block())
                .isInstanceOf(ParentMismatchException.class);
        assertThat(store.head(key).block().segment()).isEqualTo(1);
    }

    @Test
    void anIdenticalRepeatIsIdempotentWhateverParentItNames() {
        DocumentKey key = doc("parent-repeat");
        write(key, 0, 1);
        PutResult repeat = store.put(key, record(1, "c1").withParent(CheckpointRecord.digest(text("other")))).block();
        assertThat(repeat.created()).isFalse();
        assertThat(repeat.digest()).isEqualTo(CheckpointRecord.digest(text("c1")));
    }

    // ---- same model ----

    @Test
    void aCheckpointOfAnotherModelOrDigestIsRefused() {
        DocumentKey key = doc("model");
        write(key, 0, 0);
        Head before = store.head(key).block();

        CheckpointRecord otherModel = new CheckpointRecord(1, 10, "gemma2-tiny", DIGEST, 5, text("x"));
        assertThatThrownBy(() -> store.put(key, otherModel).block())
                .isInstanceOfSatisfying(ModelMismatchException.class, e -> assertThat(e.head()).isEqualTo(before));
        CheckpointRecord otherDigest = new CheckpointRecord(1, 10, MODEL, "0".repeat(64), 5, text("x"));
        assertThatThrownBy(() -> store.put(key, otherDigest).block())
                .isInstanceOf(ModelMismatchException.class);

        assertThat(store.head(key).block()).isEqualTo(before);
        assertThatThrownBy(() -> store.checkpoint(key, 1).block()).isInstanceOf(CheckpointNotFoundException.class);
    }

    // ---- retention ----

    @Test
    void retentionKeepsExactlyTheLastKAndRetiresOlderOnes() {
        DocumentKey key = doc("retention");
        int k = POLICY.keep();
        for (long n = 0; n < 6; n++) {
            store.put(key, new CheckpointRecord(n, n, MODEL, DIGEST, 100, bytes(n, "r", 100 + (int) n))).block();
            Head head = store.head(key).block();
            assertThat(head.oldest()).isEqualTo(Math.max(0, n - k + 1));
            long expectedStored = 0;
            for (long kept = head.oldest(); kept <= n; kept++) {
                expectedStored += 100 + kept;
            }
            assertThat(head.storedBytes()).isEqualTo(expectedStored);
        }
        for (long n = 0; n < 6 - k; n++) {
            long retired = n;
            assertThatThrownBy(() -> store.checkpoint(key, retired).block())
                    .isInstanceOfSatisfying(CheckpointNotFoundException.class,
                            e -> assertThat(e.head().oldest()).isEqualTo(6 - k));
        }
        for (long n = 6 - k; n < 6; n++) {
            assertThat(store.checkpoint(key, n).block().stored()).isEqualTo(bytes(n, "r", 100 + (int) n));
        }
        assertThatThrownBy(() -> store.checkpoint(key, 6).block()).isInstanceOf(CheckpointNotFoundException.class);
    }

    @Test
    void aRetiredSegmentCannotBeWrittenAgain() {
        DocumentKey key = doc("retired");
        write(key, 0, 4);
        assertThatThrownBy(() -> store.put(key, record(0, "c0")).block())
                .isInstanceOf(CheckpointConflictException.class);
    }

    // ---- quota ----

    @Test
    void aPutOverTheTenantQuotaIsRefusedAndChangesNothing() {
        CheckpointStore limited = open(new StorePolicy(3, Duration.ofHours(1), 1000));
        DocumentKey a = doc("quota-a");
        DocumentKey b = doc("quota-b");
        limited.put(a, new CheckpointRecord(0, 1, MODEL, DIGEST, 400, bytes(0, "a", 400))).block();
        limited.put(b, new CheckpointRecord(0, 1, MODEL, DIGEST, 400, bytes(0, "b", 400))).block();
        Head headB = limited.head(b).block();
        List<DocumentSummary> listed = listAll(limited, tenant, 10);

        CheckpointRecord tooMuch = new CheckpointRecord(1, 2, MODEL, DIGEST, 300, bytes(1, "b", 300));
        assertThatThrownBy(() -> limited.put(b, tooMuch).block())
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.used()).isEqualTo(800);
                    assertThat(e.quota()).isEqualTo(1000);
                });
        CheckpointRecord newDocument = new CheckpointRecord(0, 1, MODEL, DIGEST, 300, bytes(0, "c", 300));
        assertThatThrownBy(() -> limited.put(doc("quota-c"), newDocument).block())
                .isInstanceOf(QuotaExceededException.class);

        assertThat(limited.head(b).block()).isEqualTo(headB);
        assertThatThrownBy(() -> limited.checkpoint(b, 1).block()).isInstanceOf(CheckpointNotFoundException.class);
        assertThat(limited.head(doc("quota-c")).block()).isNull();
        assertThat(listAll(limited, tenant, 10)).isEqualTo(listed);

        limited.delete(a).block();
        assertThat(limited.put(b, tooMuch).block().created()).isTrue();
    }

    @Test
    void aPutThatRetiresAsMuchAsItAddsFitsAFullQuota() {
        CheckpointStore limited = open(new StorePolicy(3, Duration.ofHours(1), 300));
        DocumentKey key = doc("steady");
        for (long n = 0; n < 8; n++) {
            limited.put(key, new CheckpointRecord(n, n, MODEL, DIGEST, 100, bytes(n, "s", 100))).block();
        }
        assertThat(limited.head(key).block().storedBytes()).isEqualTo(300);
    }

    @Test
    void anotherTenantsBytesDoNotCountAgainstTheQuota() {
        CheckpointStore limited = open(new StorePolicy(3, Duration.ofHours(1), 500));
        String other = newTenant();
        limited.put(new DocumentKey(other, "big"), new CheckpointRecord(0, 1, MODEL, DIGEST, 500, bytes(0, "o", 500))).block();
        assertThat(limited.put(doc("mine"), new CheckpointRecord(0, 1, MODEL, DIGEST, 500, bytes(0, "m", 500)))
                .block().created()).isTrue();
    }

    // ---- fork ----

    @Test
    void forkCopiesOneCheckpointAndLeavesTheSourceUnchanged() {
        DocumentKey source = doc("source");
        write(source, 0, 3);
        Head sourceHead = store.head(source).block();
        Map<Long, byte[]> sourceBytes = keptBytes(source);
        DocumentKey target = doc("target");

        Head forked = store.fork(source, 2, target, b -> concat(b, text("@target"))).block();

        assertThat(forked.segment()).isEqualTo(2);
        assertThat(forked.oldest()).isEqualTo(2);
        assertThat(forked.version()).isEqualTo(1);
        assertThat(forked.tokens()).isEqualTo(record(2, "c2").tokens());
        assertThat(forked.model()).isEqualTo(MODEL);
        assertThat(forked.modelDigest()).isEqualTo(DIGEST);
        byte[] expected = concat(record(2, "c2").stored(), text("@target"));
        assertThat(forked.storedBytes()).isEqualTo(expected.length);
        assertThat(store.head(target).block()).isEqualTo(forked);
        assertThat(store.checkpoint(target, 2).block().stored()).isEqualTo(expected);
        assertThatThrownBy(() -> store.checkpoint(target, 1).block()).isInstanceOf(CheckpointNotFoundException.class);
        assertThatThrownBy(() -> store.checkpoint(target, 3).block()).isInstanceOf(CheckpointNotFoundException.class);

        PutResult continued = store.put(target, record(3, "target-3")).block();
        assertThat(continued.created()).isTrue();
        assertThat(continued.head().segment()).isEqualTo(3);
        assertThat(continued.head().oldest()).isEqualTo(2);

        assertThat(store.head(source).block()).isEqualTo(sourceHead);
        assertThat(keptBytes(source)).containsOnlyKeys(sourceBytes.keySet());
        sourceBytes.forEach((n, b) -> assertThat(store.checkpoint(source, n).block().stored()).isEqualTo(b));
    }

    @Test
    void forkRefusesATargetThatExists() {
        DocumentKey source = doc("fork-src");
        DocumentKey target = doc("fork-dst");
        write(source, 0, 1);
        write(target, 0, 0);
        Head targetHead = store.head(target).block();

        assertThatThrownBy(() -> store.fork(source, 1, target, b -> b).block())
                .isInstanceOf(DocumentExistsException.class);
        assertThatThrownBy(() -> store.fork(source, 1, source, b -> b).block())
                .isInstanceOf(DocumentExistsException.class);
        assertThat(store.head(target).block()).isEqualTo(targetHead);
        assertThat(store.checkpoint(target, 0).block().stored()).isEqualTo(record(0, "c0").stored());
    }

    @Test
    void forkOfAMissingDocumentOrCheckpointFails() {
        DocumentKey source = doc("fork-missing");
        assertThatThrownBy(() -> store.fork(source, 0, doc("fork-out"), b -> b).block())
                .isInstanceOf(DocumentNotFoundException.class);
        write(source, 0, 4);
        assertThatThrownBy(() -> store.fork(source, 0, doc("fork-out"), b -> b).block())
                .isInstanceOf(CheckpointNotFoundException.class);
        assertThat(store.head(doc("fork-out")).block()).isNull();
    }

    // ---- list ----

    @Test
    void listPagesThroughAllDocumentsExactlyOnce() {
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            DocumentKey key = doc("doc-" + i);
            write(key, 0, i % 3);
            written.add(key.document());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            DocumentPage page = store.list(tenant, cursor, 7).block();
            assertThat(page.documents()).hasSizeLessThanOrEqualTo(7);
            for (DocumentSummary summary : page.documents()) {
                seen.add(summary.document());
                int i = Integer.parseInt(summary.document().substring(4));
                assertThat(summary.segment()).isEqualTo(i % 3);
                assertThat(summary.storedBytes())
                        .isEqualTo(store.head(doc(summary.document())).block().storedBytes());
                assertThat(summary.expiresAt()).isAfter(Instant.now().plus(POLICY.ttl()).minus(Duration.ofMinutes(5)));
            }
            cursor = page.next();
            pages++;
            assertThat(pages).as("pages").isLessThanOrEqualTo(25);
        } while (cursor != null);

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(written);
    }

    @Test
    void anEmptyTenantListsNothing() {
        DocumentPage page = store.list(tenant, null, 10).block();
        assertThat(page.documents()).isEmpty();
        assertThat(page.next()).isNull();
    }

    @Test
    void aCursorTheStoreDidNotHandOutIsRefused() {
        write(doc("one"), 0, 0);
        assertThatThrownBy(() -> store.list(tenant, "not a cursor!", 10).block())
                .isInstanceOf(InvalidCursorException.class);
    }

    // ---- delete ----

    @Test
    void deleteRemovesTheDocumentAndAllItsCheckpoints() {
        DocumentKey key = doc("gone");
        write(key, 0, 4);

        assertThat(store.delete(key).block()).isTrue();

        assertThat(store.head(key).block()).isNull();
        for (long n = 0; n <= 4; n++) {
            long segment = n;
            assertThatThrownBy(() -> store.checkpoint(key, segment).block()).isInstanceOf(DocumentNotFoundException.class);
        }
        assertThat(listAll(store, tenant, 10)).isEmpty();
        assertThat(store.delete(key).block()).isFalse();
        assertThatThrownBy(() -> store.put(key, record(5, "c5")).block()).isInstanceOf(CheckpointConflictException.class);
        PutResult restarted = store.put(key, record(0, "fresh")).block();
        assertThat(restarted.created()).isTrue();
        assertThat(restarted.head().version()).isEqualTo(1);
    }

    @Test
    void aConditionalDeleteDeletesOnlyWhileTheHeadIsTheNamedCheckpoint() {
        DocumentKey key = doc("conditional");
        String zero = store.put(key, record(0, "c0")).block().digest();
        String one = store.put(key, record(1, "c1")).block().digest();
        Map<Long, byte[]> kept = keptBytes(key);
        Head head = store.head(key).block();

        assertThatThrownBy(() -> store.delete(key, zero).block())
                .isInstanceOfSatisfying(HeadMismatchException.class, e -> assertThat(e.head()).isEqualTo(head));
        assertThat(store.head(key).block()).isEqualTo(head);
        assertThat(keptBytes(key)).containsExactlyInAnyOrderEntriesOf(kept);

        assertThat(store.delete(key, one).block()).isTrue();
        assertThat(store.head(key).block()).isNull();
        assertThat(listAll(store, tenant, 10)).isEmpty();
        assertThat(store.delete(key, one).block()).isFalse();
    }

    @Test
    void aConditionalDeleteLeavesADocumentWrittenAgainUnderTheSameIdAlone() {
        DocumentKey key = doc("again");
        String mine = store.put(key, record(0, "mine")).block().digest();
        store.delete(key).block();
        store.put(key, record(0, "theirs")).block();
        Head theirs = store.head(key).block();

        assertThatThrownBy(() -> store.delete(key, mine).block()).isInstanceOf(HeadMismatchException.class);
        assertThat(store.head(key).block()).isEqualTo(theirs);
        assertThat(store.checkpoint(key, 0).block().stored()).isEqualTo(text("theirs"));
    }

    @Test
    void aMissingDocumentHasNoHeadNoCheckpointAndNothingToDelete() {
        DocumentKey key = doc("never");
        assertThat(store.head(key).block()).isNull();
        assertThatThrownBy(() -> store.checkpoint(key, 0).block()).isInstanceOf(DocumentNotFoundException.class);
        assertThat(store.delete(key).block()).isFalse();
    }

    // ---- tenant isolation ----

    @Test
    void anotherTenantSeesNothingAndCannotOverwrite() {
        DocumentKey mine = doc("private");
        write(mine, 0, 2);
        Head head = store.head(mine).block();
        Map<Long, byte[]> kept = keptBytes(mine);
        DocumentKey theirs = new DocumentKey(newTenant(), mine.document());

        assertThat(store.head(theirs).block()).isNull();
        assertThatThrownBy(() -> store.checkpoint(theirs, 2).block()).isInstanceOf(DocumentNotFoundException.class);
        assertThat(store.list(theirs.tenant(), null, 10).block().documents()).isEmpty();
        assertThatThrownBy(() -> store.fork(theirs, 2, theirs.sibling("copy"), b -> b).block())
                .isInstanceOf(DocumentNotFoundException.class);
        assertThatThrownBy(() -> store.put(theirs, record(3, "overwrite")).block())
                .isInstanceOfSatisfying(CheckpointConflictException.class, e -> assertThat(e.head()).isNull());
        assertThat(store.delete(theirs).block()).isFalse();
        PutResult own = store.put(theirs, new CheckpointRecord(0, 1, "gemma2-tiny", "f".repeat(64), 3, text("own"))).block();
        assertThat(own.created()).isTrue();

        assertThat(store.head(mine).block()).isEqualTo(head);
        kept.forEach((n, b) -> assertThat(store.checkpoint(mine, n).block().stored()).isEqualTo(b));
        assertThat(listAll(store, tenant, 10)).extracting(DocumentSummary::document).containsExactly("private");
        assertThat(listAll(store, theirs.tenant(), 10)).extracting(DocumentSummary::document).containsExactly("private");
        assertThat(store.head(theirs).block().model()).isEqualTo("gemma2-tiny");
    }

    // ---- concurrency ----

    @Test
    void ofSixteenConcurrentWritersWithDifferentBytesExactlyOneWins() throws Exception {
        DocumentKey key = doc("race");
        write(key, 0, 0);

        List<Object> outcomes = race(key, 16, i -> record(1, "writer-" + i));

        List<PutResult> created = ofType(outcomes, PutResult.class);
        assertThat(created).hasSize(1);
        assertThat(created.get(0).created()).isTrue();
        List<CheckpointConflictException> conflicts = ofType(outcomes, CheckpointConflictException.class);
        assertThat(conflicts).hasSize(15);
        conflicts.forEach(e -> assertThat(e.head().segment()).isEqualTo(1));
        Head head = store.head(key).block();
        assertThat(head.segment()).isEqualTo(1);
        assertThat(head.version()).isEqualTo(2);
        assertThat(head).isEqualTo(created.get(0).head());
        int winner = outcomes.indexOf(created.get(0));
        assertThat(store.checkpoint(key, 1).block().stored()).isEqualTo(record(1, "writer-" + winner).stored());
    }

    @Test
    void ofSixteenConcurrentWritersWithIdenticalBytesOneCreatesAndTheRestAreIdempotent() throws Exception {
        DocumentKey key = doc("retry-storm");
        write(key, 0, 0);

        List<Object> outcomes = race(key, 16, i -> record(1, "same"));

        List<PutResult> results = ofType(outcomes, PutResult.class);
        assertThat(results).hasSize(16);
        assertThat(results).filteredOn(PutResult::created).hasSize(1);
        results.forEach(r -> assertThat(r.head().segment()).isEqualTo(1));
        results.forEach(r -> assertThat(r.head().version()).isEqualTo(2));
        assertThat(store.head(key).block().version()).isEqualTo(2);
    }

    @Test
    void theHeadNeverSkipsOrRepeatsOverFiftySequentialSegments() {
        DocumentKey key = doc("fifty");
        for (long n = 0; n < 50; n++) {
            long segment = n;
            PutResult result = store.put(key, record(n, "c" + n)).block();
            assertThat(result.created()).isTrue();
            assertThat(result.head().segment()).isEqualTo(n);
            assertThat(result.head().version()).isEqualTo(n + 1);

            PutResult retry = store.put(key, record(n, "c" + n)).block();
            assertThat(retry.created()).isFalse();
            assertThat(retry.head()).isEqualTo(result.head());
            assertThatThrownBy(() -> store.put(key, record(segment + 2, "skip")).block())
                    .isInstanceOf(CheckpointConflictException.class);
            if (n > 0) {
                assertThatThrownBy(() -> store.put(key, record(segment - 1, "rewrite")).block())
                        .isInstanceOf(CheckpointConflictException.class);
            }
            assertThat(store.head(key).block()).isEqualTo(result.head());
        }
    }

    @Test
    void racingWritersOverFiftySegmentsAdvanceTheHeadByExactlyOneEachTime() throws Exception {
        DocumentKey key = doc("race-fifty");
        for (long n = 0; n < 50; n++) {
            long segment = n;
            List<Object> outcomes = race(key, 4, i -> record(segment, "seg-" + segment + "-writer-" + i));
            List<PutResult> won = ofType(outcomes, PutResult.class);
            assertThat(won).as("winners of segment %d", n).hasSize(1);
            assertThat(ofType(outcomes, CheckpointConflictException.class)).hasSize(3);
            Head head = store.head(key).block();
            assertThat(head.segment()).isEqualTo(n);
            assertThat(head.version()).isEqualTo(n + 1);
        }
    }

    // ---- helpers ----

    /** A store of the implementation under test, closed after the test. */
    protected CheckpointStore open(StorePolicy policy) {
        CheckpointStore opened = newStore(policy);
        this.opened.add(opened);
        return opened;
    }

    /** A fresh random tenant whose documents are deleted after the test. */
    protected String newTenant() {
        String fresh = "t-" + UUID.randomUUID().toString().substring(0, 13);
        tenants.add(fresh);
        return fresh;
    }

    protected DocumentKey doc(String id) {
        return new DocumentKey(tenant, id);
    }

    /** The record of segment n with the given content, tokens 64 per segment. */
    protected static CheckpointRecord record(long n, String content) {
        byte[] stored = text(content);
        return new CheckpointRecord(n, 64 * (n + 1), MODEL, DIGEST, stored.length, stored);
    }

    /** Writes segments from..to of the document with content "c<n>". */
    protected void write(DocumentKey key, long from, long to) {
        for (long n = from; n <= to; n++) {
            assertThat(store.put(key, record(n, "c" + n)).block().created()).isTrue();
        }
    }

    protected static byte[] text(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code size} bytes derived from the segment and a variant, different for each pair. */
    protected static byte[] bytes(long segment, String variant, int size) {
        byte[] out = new byte[size];
        int seed = (int) (segment * 31 + variant.hashCode());
        for (int i = 0; i < size; i++) {
            seed = seed * 1103515245 + 12345;
            out[i] = (byte) (seed >>> 16);
        }
        return out;
    }

    protected static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Every kept checkpoint of the document, by index. */
    protected Map<Long, byte[]> keptBytes(DocumentKey key) {
        Head head = store.head(key).block();
        Map<Long, byte[]> kept = new LinkedHashMap<>();
        for (long n = head.oldest(); n <= head.segment(); n++) {
            kept.put(n, store.checkpoint(key, n).block().stored());
        }
        return kept;
    }

    protected static List<DocumentSummary> listAll(CheckpointStore store, String tenant, int limit) {
        List<DocumentSummary> all = new ArrayList<>();
        String cursor = null;
        do {
            DocumentPage page = store.list(tenant, cursor, limit).block();
            all.addAll(page.documents());
            cursor = page.next();
        } while (cursor != null);
        return all;
    }

    /**
     * Runs {@code writers} puts of the records {@code recordOf(i)} to the document from as many
     * threads released at once; the outcome of writer i (its result or its failure) is element i.
     */
    private List<Object> race(DocumentKey key, int writers, IntFunction<CheckpointRecord> recordOf)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch ready = new CountDownLatch(writers);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                CheckpointRecord record = recordOf.apply(i);
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        return store.put(key, record).block(Duration.ofSeconds(30));
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            ready.await();
            go.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get(60, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> List<T> ofType(List<Object> outcomes, Class<T> type) {
        List<T> matching = new ArrayList<>();
        for (Object outcome : outcomes) {
            if (type.isInstance(outcome)) {
                matching.add(type.cast(outcome));
            } else if (!(outcome instanceof PutResult) && !(outcome instanceof CheckpointConflictException)) {
                throw new AssertionError("unexpected outcome of a concurrent put: " + outcome,
                        outcome instanceof Throwable t ? t : null);
            }
        }
        return matching;
    }
}
