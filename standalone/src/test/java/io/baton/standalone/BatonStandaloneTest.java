package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import io.baton.inference.segments.SegmentService;
import io.baton.protocol.memory.MemoryClient;
import io.baton.inference.state.SegmentOrderException;
import io.baton.memory.checkpoints.CheckpointService;
import io.baton.memory.store.CheckpointStore;
import io.baton.memory.store.DocumentKey;
import io.baton.memory.store.Head;
import io.baton.memory.store.inmemory.InMemoryCheckpointStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Standalone mode wires inference to the memory code in-process: segments run, their
 * checkpoints land in the in-memory store through the same checks as over HTTP, and the memory
 * service's refusals reach inference as the same errors the HTTP client gives.
 */
class BatonStandaloneTest {

    static ConfigurableApplicationContext context;

    @BeforeAll
    static void start() {
        // The shared application: closing a second one would stop the Netty event loops its server shares.
        context = Standalone.context();
    }

    @Test
    void runsOnTheInMemoryStoreThroughTheInProcessClient() {
        assertThat(context.getBean(CheckpointStore.class)).isInstanceOf(InMemoryCheckpointStore.class);
        assertThat(context.getBean(MemoryClient.class)).isInstanceOf(InProcessMemoryClient.class);
    }

    @Test
    void segmentsCarryStateThroughTheMemoryCodeInTheSameJvm() {
        SegmentService segments = context.getBean(SegmentService.class);
        CheckpointService checkpoints = context.getBean(CheckpointService.class);
        long[] text = "Call me Ishmael. Some years ago, never mind how long precisely.".chars().asLongStream().toArray();
        SegmentResponse last = null;
        for (int n = 0; n < 3; n++) {
            long[] tokens = java.util.Arrays.copyOfRange(text, n * 20, n * 20 + 20);
            last = segments.process("local", new SegmentRequest("standalone-moby", (long) n, "jamba-tiny", tokens,
                    List.of(new int[] {0, 20}), null)).block(Duration.ofSeconds(60));
        }
        assertThat(last.tokens()).isEqualTo(60);
        Head head = checkpoints.head(new DocumentKey("local", "standalone-moby")).block(Duration.ofSeconds(10));
        assertThat(head.segment()).isEqualTo(2);
        assertThat(head.tokens()).isEqualTo(60);
        assertThat(head.model()).isEqualTo("jamba-tiny");

        // A retry of the last segment recomputes identical bytes: an idempotent success.
        segments.process("local", new SegmentRequest("standalone-moby", 2L, "jamba-tiny",
                java.util.Arrays.copyOfRange(text, 40, 60), List.of(), null)).block(Duration.ofSeconds(60));
        assertThat(checkpoints.head(new DocumentKey("local", "standalone-moby")).block().version()).isEqualTo(head.version());

        // Skipping ahead is a gap naming the next index.
        assertThatThrownBy(() -> segments.process("local", new SegmentRequest("standalone-moby", 5L, "jamba-tiny",
                new long[] {65}, List.of(), null)).block(Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(SegmentOrderException.class, e -> assertThat(e.expected()).isEqualTo(3));
    }
}
