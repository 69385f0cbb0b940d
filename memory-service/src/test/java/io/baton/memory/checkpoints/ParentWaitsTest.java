package io.baton.memory.checkpoints;

import io.baton.memory.store.DocumentKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * When a put waiting for its parent is told to look at the head: after each poll interval while
 * no put of its parent is in progress through this service (a parent on another replica, or not
 * arrived yet), and otherwise only when that put ends without storing it. Virtual time: the poll
 * interval is 5 ms, and a waiter that polled would answer within it.
 */
class ParentWaitsTest {

    private static final Duration POLL = Duration.ofMillis(5);
    private static final Duration LEFT = Duration.ofSeconds(2);

    private final ParentWaits waits = new ParentWaits(POLL, Long.MAX_VALUE);
    private final DocumentKey key = new DocumentKey("acme", "doc");

    @Test
    void withoutItsParentsPutInProgressHereAWaiterLooksAfterEachPoll() {
        try (ParentWaits.Waiter waiter = waits.await(key, 1)) {
            looksAfterOnePoll(waiter);
        }
    }

    @Test
    void whileItsParentsPutIsInProgressHereAWaiterDoesNotPollAndIsWokenWhenItIsStored() {
        Runnable ended = waits.putting(key, 1);
        try (ParentWaits.Waiter waiter = waits.await(key, 1)) {
            round(waiter)
                    .expectNoEvent(Duration.ofMillis(500))
                    .then(() -> {
                        waits.stored(key, 1);
                        ended.run();
                    })
                    .expectNext(true)
                    .verifyComplete();
        }
    }

    @Test
    void whenItsParentsPutEndsWithoutStoringItAWaiterLooksAndThenPollsAgain() {
        Runnable ended = waits.putting(key, 1);
        try (ParentWaits.Waiter waiter = waits.await(key, 1)) {
            round(waiter)
                    .expectNoEvent(Duration.ofMillis(500))
                    .then(ended)
                    .expectNext(false)
                    .verifyComplete();
            looksAfterOnePoll(waiter);
        }
    }

    @Test
    void aPutOfAnotherSegmentOrDocumentInProgressDoesNotStopThePolls() {
        waits.putting(key, 2);
        waits.putting(new DocumentKey("acme", "other"), 1);
        try (ParentWaits.Waiter waiter = waits.await(key, 1)) {
            looksAfterOnePoll(waiter);
        }
    }

    @Test
    void aParentStoredBeforeTheRoundBeginsAnswersAtOnce() {
        try (ParentWaits.Waiter waiter = waits.await(key, 1)) {
            waits.stored(key, 1);
            round(waiter)
                    .expectNext(true)
                    .verifyComplete();
        }
    }

    @Test
    void oneOfTwoPutsOfTheParentEndingLeavesTheWaiterWaitingForTheOther() {
        Runnable first = waits.putting(key, 1);
        waits.putting(key, 1);
        first.run();
        try (ParentWaits.Waiter waiter = waits.await(key, 1)) {
            round(waiter)
                    .expectNoEvent(Duration.ofMillis(500))
                    .then(() -> waits.stored(key, 1))
                    .expectNext(true)
                    .verifyComplete();
        }
    }

    /** A round of {@code waiter}'s wait for its parent, in virtual time, subscribed to. */
    private static StepVerifier.Step<Boolean> round(ParentWaits.Waiter waiter) {
        return StepVerifier.withVirtualTime(() -> waiter.storedWithin(LEFT)).expectSubscription();
    }

    /** A round that ends when the poll interval has passed, and not before: time to look at the head. */
    private static void looksAfterOnePoll(ParentWaits.Waiter waiter) {
        round(waiter).expectNoEvent(POLL.minusMillis(1)).thenAwait(Duration.ofMillis(1)).expectNext(false).verifyComplete();
    }
}
