package io.baton.inference.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StateCacheTest {

    static final Duration IDLE = Duration.ofMinutes(10);

    /** A state of {@code floats} values (4 bytes each). */
    static DocumentState state(int floats, float fill) {
        float[] values = new float[floats];
        java.util.Arrays.fill(values, fill);
        return new DocumentState(floats, Map.of("past_ssm.0", new FloatTensor(new long[] {1, floats}, values)));
    }

    @Test
    void findsOnlyTheStateAfterTheAskedSegmentOfTheSameModel() {
        StateCache cache = new StateCache(1 << 20, IDLE);
        DocumentState after3 = state(16, 3);
        cache.keep("t", "doc", "jamba-tiny", 3, "d3", after3);

        assertThat(cache.find("t", "doc", "jamba-tiny", 3).state()).isSameAs(after3);
        assertThat(cache.find("t", "doc", "jamba-tiny", 3).digest()).isEqualTo("d3");
        assertThat(cache.find("t", "doc", "jamba-tiny", 2)).isNull();
        assertThat(cache.find("t", "doc", "gemma2-tiny", 3)).isNull();
        assertThat(cache.find("other-tenant", "doc", "jamba-tiny", 3)).isNull();
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(3);

        cache.keep("t", "doc", "jamba-tiny", 4, "d4", state(16, 4));
        assertThat(cache.find("t", "doc", "jamba-tiny", 3)).isNull();
        assertThat(cache.find("t", "doc", "jamba-tiny", 4).digest()).isEqualTo("d4");
        assertThat(cache.bytes()).isEqualTo(64);

        cache.forget("t", "doc");
        assertThat(cache.find("t", "doc", "jamba-tiny", 4)).isNull();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void theLeastRecentlyUsedDocumentsLeaveFirstWhenTheBytesRunOut() {
        StateCache cache = new StateCache(3 * 400, IDLE);
        cache.keep("t", "a", "m", 0, "a0", state(100, 1));
        cache.keep("t", "b", "m", 0, "b0", state(100, 2));
        cache.keep("t", "c", "m", 0, "c0", state(100, 3));
        assertThat(cache.find("t", "a", "m", 0)).isNotNull(); // a is now the most recently used

        cache.keep("t", "d", "m", 0, "d0", state(100, 4));

        assertThat(cache.find("t", "b", "m", 0)).isNull();
        assertThat(cache.find("t", "a", "m", 0)).isNotNull();
        assertThat(cache.find("t", "c", "m", 0)).isNotNull();
        assertThat(cache.find("t", "d", "m", 0)).isNotNull();
        assertThat(cache.bytes()).isEqualTo(1200);
    }

    @Test
    void aStateLargerThanTheBoundIsNotKeptAndABoundOfZeroKeepsNothing() {
        StateCache small = new StateCache(100, IDLE);
        small.keep("t", "doc", "m", 0, "d0", state(10, 1));
        small.keep("t", "doc", "m", 1, "d1", state(1000, 1));
        assertThat(small.find("t", "doc", "m", 0)).as("the older state is replaced, not kept").isNull();
        assertThat(small.find("t", "doc", "m", 1)).isNull();
        assertThat(small.bytes()).isZero();

        StateCache off = new StateCache(0, IDLE);
        off.keep("t", "doc", "m", 0, "d0", state(1, 1));
        assertThat(off.find("t", "doc", "m", 0)).isNull();
        assertThatThrownBy(() -> new StateCache(-1, IDLE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStateUnusedForTheIdleExpiryLeavesWhileOneInUseStays() {
        AtomicLong now = new AtomicLong();
        StateCache cache = new StateCache(1 << 20, Duration.ofSeconds(60), now::get);
        cache.keep("t", "abandoned", "m", 0, "a0", state(100, 1));
        cache.keep("t", "live", "m", 0, "l0", state(100, 2));

        now.addAndGet(Duration.ofSeconds(40).toNanos());
        assertThat(cache.find("t", "live", "m", 0)).as("used 40 s after it was kept").isNotNull();
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        cache.expire();

        assertThat(cache.find("t", "abandoned", "m", 0)).as("70 s unused").isNull();
        assertThat(cache.find("t", "live", "m", 0)).as("30 s since its last use").isNotNull();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(400);

        now.addAndGet(Duration.ofSeconds(61).toNanos());
        cache.keep("t", "other", "m", 0, "o0", state(10, 3));
        assertThat(cache.find("t", "live", "m", 0)).as("a lookup or a keep sweeps what expired").isNull();
        assertThat(cache.bytes()).isEqualTo(40);
        assertThatThrownBy(() -> new StateCache(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
