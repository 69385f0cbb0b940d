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
    void aSegmentThatOvertookItsPredecessorGetsItWhenItStartsAndNothingAfterTheWait() {
        InFlight inFlight = new InFlight();
        Mono<InFlight.Segment> waiting = inFlight.await("doc", "m", 5, Duration.ofSeconds(10)).cache();
        waiting.subscribe();
        InFlight.Segment five = inFlight.start("doc", "m", 5);
        assertThat(waiting.block(Duration.ofSeconds(1))).isSameAs(five);

        assertThat(inFlight.await("doc", "m", 5, Duration.ofSeconds(10)).block(Duration.ofSeconds(1)))
                .as("already started").isSameAs(five);
        assertThat(inFlight.await("doc", "m", 6, Duration.ofMillis(50)).block(Duration.ofSeconds(1)))
                .as("never started").isNull();
        assertThat(inFlight.await("doc", "other-model", 7, Duration.ofMillis(50)).doOnSubscribe(s ->
                        inFlight.start("doc", "m", 7)).block(Duration.ofSeconds(1)))
                .as("started for another model").isNull();
    }
}
