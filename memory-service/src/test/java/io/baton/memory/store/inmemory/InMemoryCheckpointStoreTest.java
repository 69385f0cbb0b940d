package io.baton.memory.store.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.CheckpointRecord;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.CheckpointStoreContract;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.DocumentSummary;
import io.baton.memory.store.MutableClock;
import io.baton.memory.store.StoreFullException;
import io.baton.memory.store.StorePolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The in-memory store: the shared contract, plus eviction by bytes and lazy TTL. */
class InMemoryCheckpointStoreTest extends CheckpointStoreContract {

    private static final Duration TTL = Duration.ofMinutes(10);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    protected CheckpointStore newStore(StorePolicy policy) {
        return new InMemoryCheckpointStore(policy, 1L << 30, Clock.systemUTC());
    }

    private InMemoryCheckpointStore bounded(long maxBytes) {
        return new InMemoryCheckpointStore(new StorePolicy(3, TTL, 0), maxBytes, clock);
    }

    private static CheckpointRecord sized(long n, int size) {
        return new CheckpointRecord(n, n, MODEL, DIGEST, size, bytes(n, "x", size));
    }

    // ---- eviction by bytes ----

    @Test
    void aWriteOverCapacityEvictsTheLeastRecentlyUsedDocuments() {
        InMemoryCheckpointStore memory = bounded(1000);
        DocumentKey a = doc("a");
        DocumentKey b = doc("b");
        DocumentKey c = doc("c");
        memory.put(a, sized(0, 300)).block();
        memory.put(b, sized(0, 300)).block();
        memory.put(c, sized(0, 300)).block();
        memory.head(a).block();                       // a is now the most recently used

        memory.put(doc("d"), sized(0, 300)).block();   // 1200 > 1000: b, the least recently used, goes

        assertThat(memory.head(b).block()).isNull();
        assertThat(memory.head(a).block()).isNotNull();
        assertThat(memory.head(c).block()).isNotNull();
        assertThat(memory.head(doc("d")).block()).isNotNull();
        assertThat(memory.storedBytes()).isEqualTo(900);
    }

    @Test
    void evictionTakesWholeDocumentsAsManyAsNeeded() {
        InMemoryCheckpointStore memory = bounded(1000);
        DocumentKey a = doc("a");
        DocumentKey b = doc("b");
        for (long n = 0; n < 3; n++) {
            memory.put(a, sized(n, 100)).block();
        }
        memory.put(b, sized(0, 300)).block();
        DocumentKey big = doc("big");

        memory.put(big, sized(0, 900)).block();      // 1500: a (300 in 3 checkpoints) and b (300) both go

        assertThat(memory.head(a).block()).isNull();
        assertThat(memory.head(b).block()).isNull();
        assertThatThrownBy(() -> memory.put(a, sized(3, 100)).block()).isInstanceOf(CheckpointConflictException.class);
        assertThat(memory.head(big).block().storedBytes()).isEqualTo(900);
        assertThat(memory.storedBytes()).isEqualTo(900);
    }

    @Test
    void aGrowingDocumentIsNeverEvictedByItsOwnWrite() {
        InMemoryCheckpointStore memory = bounded(1000);
        DocumentKey other = doc("other");
        DocumentKey growing = doc("growing");
        memory.put(other, sized(0, 200)).block();
        memory.put(growing, sized(0, 300)).block();
        memory.put(growing, sized(1, 300)).block();

        memory.put(growing, sized(2, 300)).block();    // 1100: other goes, growing stays whole

        assertThat(memory.head(other).block()).isNull();
        assertThat(memory.head(growing).block().storedBytes()).isEqualTo(900);
    }

    @Test
    void aDocumentLargerThanTheWholeStoreIsRefusedAndNothingIsEvicted() {
        InMemoryCheckpointStore memory = bounded(1000);
        DocumentKey small = doc("small");
        memory.put(small, sized(0, 400)).block();

        assertThatThrownBy(() -> memory.put(doc("huge"), sized(0, 1001)).block())
                .isInstanceOf(StoreFullException.class);

        assertThat(memory.head(doc("huge")).block()).isNull();
        assertThat(memory.head(small).block()).isNotNull();
        assertThat(memory.storedBytes()).isEqualTo(400);
    }

    // ---- lazy TTL ----

    @Test
    void aDocumentExpiresWhenItsTtlHasPassedSinceTheLastWrite() {
        InMemoryCheckpointStore memory = bounded(1 << 20);
        DocumentKey key = doc("ttl");
        memory.put(key, sized(0, 100)).block();

        clock.advance(TTL.minusSeconds(1));
        assertThat(memory.head(key).block()).isNotNull();
        memory.put(key, sized(1, 100)).block();       // refreshes the TTL of the whole document

        clock.advance(TTL.minusSeconds(1));
        assertThat(memory.checkpoint(key, 0).block().stored()).isEqualTo(sized(0, 100).stored());

        clock.advance(Duration.ofSeconds(1));
        assertThat(memory.head(key).block()).isNull();
        assertThat(memory.list(tenant, null, 10).block().documents()).isEmpty();
        assertThat(memory.storedBytes()).isZero();
        assertThat(memory.put(key, sized(0, 100)).block().head().version()).isEqualTo(1);
    }

    @Test
    void listShowsWhenEachDocumentExpiresAndSkipsExpiredOnes() {
        InMemoryCheckpointStore memory = bounded(1 << 20);
        memory.put(doc("old"), sized(0, 10)).block();
        clock.advance(Duration.ofMinutes(5));
        memory.put(doc("new"), sized(0, 10)).block();

        assertThat(memory.list(tenant, null, 10).block().documents())
                .extracting(DocumentSummary::document, DocumentSummary::expiresAt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("new", clock.instant().plus(TTL)),
                        org.assertj.core.groups.Tuple.tuple("old", clock.instant().minus(Duration.ofMinutes(5)).plus(TTL)));

        clock.advance(Duration.ofMinutes(5));
        assertThat(memory.list(tenant, null, 10).block().documents())
                .extracting(DocumentSummary::document).containsExactly("new");
    }

    @Test
    void expiredDocumentsNoLongerCountAgainstTheQuota() {
        InMemoryCheckpointStore memory = new InMemoryCheckpointStore(new StorePolicy(3, TTL, 500), 1 << 20, clock);
        memory.put(doc("first"), sized(0, 500)).block();
        assertThatThrownBy(() -> memory.put(doc("second"), sized(0, 500)).block())
                .isInstanceOf(io.baton.memory.store.QuotaExceededException.class);

        clock.advance(TTL);

        assertThat(memory.put(doc("second"), sized(0, 500)).block().created()).isTrue();
    }

    @Test
    void theQuotaCountsEachDocumentUntilItsLatestWritesExpiry() {
        InMemoryCheckpointStore memory = new InMemoryCheckpointStore(new StorePolicy(3, TTL, 600), 1 << 20, clock);
        memory.put(doc("a"), sized(0, 200)).block();
        clock.advance(Duration.ofMinutes(1));
        memory.put(doc("b"), sized(0, 200)).block();
        clock.advance(Duration.ofMinutes(1));
        memory.put(doc("a"), sized(1, 200)).block();      // a: 400 bytes, now expiring after b

        clock.advance(TTL.minusSeconds(30));               // b has expired, a has not
        assertThatThrownBy(() -> memory.put(doc("c"), sized(0, 201)).block())
                .isInstanceOf(io.baton.memory.store.QuotaExceededException.class);
        assertThat(memory.put(doc("c"), sized(0, 200)).block().created()).isTrue();
        assertThat(memory.head(doc("b")).block()).isNull();
    }
}
