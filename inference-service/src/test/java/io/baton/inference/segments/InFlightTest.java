package io.baton.inference.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.inference.models.DocumentState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The registry of segments in flight: who a next segment may follow, and waiting for one that was overtaken. */
class InFlightTest {

    private static final DocumentState STATE = new DocumentState(7, Map.of());

    @Test
    void aSegmentIsFoundAsTheLatestOfItsDocumentForItsModelUntilItEnds() {
        InFlight inFlight = new InFlight();
        InFlight.Segment three = inFlight.start("doc", "m", 3);

        assertThat(inFlight.find("doc", "m", 3)).isSameAs(three);
        assertThat(inFlight.find("doc", "m", 2)).isNull();
        assertThat(inFlight.find("doc", "other-model", 3)).isNull();
        assertThat(inFlight.find("other-doc", "m", 3)).isNull();

        InFlight.Segment four = inFlight.start("doc", "m", 4);
        assertThat(inFlight.find("doc", "m", 3)).as("only the latest is followed").isNull();
        inFlight.end("doc", three);
        assertThat(inFlight.find("doc", "m", 4)).as("an earlier segment's end leaves the latest").isSameAs(four);
        inFlight.end("doc", four);
        assertThat(inFlight.find("doc", "m", 4)).isNull();
        assertThat(inFlight.size()).isZero();
    }

    @Test
    void aFollowerGetsTheStateOnceRunAndTheDigestOnlyWhenStoredAsThatState() {
        InFlight inFlight = new InFlight();
        InFlight.Segment stored = inFlight.start("a", "m", 0);
        stored.ran(STATE);
        stored.stored("d0", true);
        assertThat(stored.next().block(Duration.ofSeconds(1))).isSameAs(STATE);
        assertThat(stored.storedDigest().block(Duration.ofSeconds(1))).isEqualTo("d0");

        InFlight.Segment other = inFlight.start("b", "m", 0);
        other.ran(STATE);
        other.stored("d0", false);
        assertThat(other.next().block(Duration.ofSeconds(1))).isSameAs(STATE);
        assertThatThrownBy(() -> other.storedDigest().block(Duration.ofSeconds(1))).isInstanceOf(InFlight.Abandoned.class);
        assertThat(inFlight.find("b", "m", 0)).as("an abandoned segment is not followed").isNull();

        InFlight.Segment failed = inFlight.start("c", "m", 0);
        failed.abandon();
        assertThatThrownBy(() -> failed.next().block(Duration.ofSeconds(1))).isInstanceOf(InFlight.Abandoned.class);
    }

    @Test
    void aWatchSeesThePredecessorInFlightOrStartingWhileItIsOpenEvenAfterItEnded() {
        InFlight inFlight = new InFlight();
        InFlight.Watch watch = inFlight.watch("doc", "m", 5);
        Mono<InFlight.Segment> waiting = watch.next(Duration.ofSeconds(10)).cache();
        waiting.subscribe();
        assertThat(watch.seen()).isNull();
        InFlight.Segment five = inFlight.start("doc", "m", 5);
        inFlight.end("doc", five);
        assertThat(waiting.block(Duration.ofSeconds(1))).isSameAs(five);
        assertThat(watch.seen()).as("seen although it has ended").isSameAs(five);
        assertThat(inFlight.watch("doc", "m", 5).seen()).as("not in flight when the watch began").isNull();
        watch.close();

        InFlight.Segment six = inFlight.start("doc", "m", 6);
        try (InFlight.Watch now = inFlight.watch("doc", "m", 6)) {
            assertThat(now.seen()).as("in flight when the watch began").isSameAs(six);
            assertThat(now.next(Duration.ofSeconds(10)).block(Duration.ofSeconds(1))).isSameAs(six);
        }
        try (InFlight.Watch never = inFlight.watch("doc", "m", 7)) {
            assertThat(never.next(Duration.ofMillis(50)).block(Duration.ofSeconds(1))).as("never started").isNull();
            assertThat(never.next(Duration.ZERO).block(Duration.ofSeconds(1))).as("not waited for").isNull();
            InFlight.Segment seven = inFlight.start("doc", "m", 7);
            assertThat(never.next(Duration.ZERO).block(Duration.ofSeconds(1))).as("seen, not waited for")
                    .isSameAs(seven);
        }
        try (InFlight.Watch other = inFlight.watch("doc", "other-model", 8)) {
            inFlight.start("doc", "m", 8);
            assertThat(other.seen()).as("started for another model").isNull();
        }
    }

    @Test
    void aClosedWatchIsForgotten() {
        InFlight inFlight = new InFlight();
        InFlight.Watch first = inFlight.watch("doc", "m", 1);
        InFlight.Watch second = inFlight.watch("doc", "m", 1);
        first.close();
        InFlight.Segment one = inFlight.start("doc", "m", 1);
        assertThat(first.seen()).as("closed before it started").isNull();
        assertThat(second.seen()).as("the other watch of the same segment stays open").isSameAs(one);
        second.close();
        assertThat(inFlight.watched()).isZero();
    }
}

