package io.baton.protocol.deadlines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void theHeaderSaysTheMillisecondsLeftAndIsReadBackFromNow() {
        Deadline deadline = Deadline.fromHeader("60000");
        assertThat(deadline.passed()).isFalse();
        assertThat(Long.parseLong(deadline.header())).isBetween(59_000L, 60_000L);
        assertThat(Deadline.fromHeader(null)).isNull();
    }

    @Test
    void noTimeLeftHasPassedAndANegativeValueIsNoTimeLeft() {
        assertThat(Deadline.fromHeader("0").passed()).isTrue();
        assertThat(Deadline.fromHeader("-5").passed()).isTrue();
        assertThat(Deadline.fromHeader("-5").remaining()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aValueThatIsNotMillisecondsIsRefused() {
        assertThatThrownBy(() -> Deadline.fromHeader("soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Baton-Time-Left-Ms");
        assertThatThrownBy(() -> Deadline.fromHeader("1.5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHugeValueIsCappedAtADay() {
        Deadline deadline = Deadline.fromHeader(Long.toString(Long.MAX_VALUE));
        assertThat(deadline.remaining()).isLessThanOrEqualTo(Deadline.LONGEST);
        assertThat(deadline.remaining()).isGreaterThan(Deadline.LONGEST.minusMinutes(1));
    }

    @Test
    void theEarlierOfTwoWins() {
        Deadline soon = Deadline.in(Duration.ofSeconds(1));
        Deadline later = Deadline.in(Duration.ofHours(1));
        assertThat(soon.earlier(later)).isSameAs(soon);
        assertThat(later.earlier(soon)).isSameAs(soon);
        assertThat(later.earlier(null)).isSameAs(later);
    }
}
