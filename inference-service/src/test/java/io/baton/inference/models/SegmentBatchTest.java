package io.baton.inference.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Segments of several documents run as one batch give each document exactly what it gets alone
 * (bit for bit on the CPU provider), also when the documents are at different positions; bad
 * segments are refused before anything runs (segments of different lengths by a model without
 * ragged batches; {@link RaggedBatchTest} runs them where the model takes them).
 */
class SegmentBatchTest {

    static final String TEXT = "Call me Ishmael. Some years ago, never mind how long precisely, having little or no "
            + "money in my purse, and nothing particular to interest me on shore, I thought I would sail about "
            + "a little and see the watery part of the world. It is a way I have of driving off the spleen.";

    @TestFactory
    Stream<DynamicTest> aBatchEqualsEachDocumentAlone() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : ZooGoldenTest.models()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkBatch(dir)));
        }
        return tests.stream();
    }

    static void checkBatch(Path dir) throws Exception {
        long[] text = ids(TEXT);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(dir, options)) {
            // Three documents at positions 0, 40 and 97 (each warmed up alone), then one 32-token segment each.
            int[] warmups = {0, 40, 97};
            List<SegmentInput> inputs = new ArrayList<>();
            for (int d = 0; d < warmups.length; d++) {
                DocumentState state = model.initialState(1);
                if (warmups[d] > 0) {
                    state = model.run(slice(text, d, warmups[d]), state).next();
                }
                inputs.add(new SegmentInput(slice(text, d + warmups[d], 32), state));
            }
            List<SegmentOutput> together = model.run(inputs);
            for (int d = 0; d < inputs.size(); d++) {
                SegmentOutput alone = model.run(inputs.get(d).tokens(), inputs.get(d).state());
                // Bit for bit on the CPU provider: batching must not change a document's result.
                assertThat(together.get(d).logits()).as("logits of document %d", d).isEqualTo(alone.logits());
                assertThat(together.get(d).next().tokens()).isEqualTo(alone.next().tokens());
                for (StateTensorSpec s : model.plan().state()) {
                    assertThat(together.get(d).next().tensors().get(s.input()))
                            .as("%s of document %d", s.input(), d).isEqualTo(alone.next().tensors().get(s.input()));
                }
            }
        }
    }

    @Test
    void refusesBadSegmentsWithTheirReason() throws Exception {
        Path dir = ZooGoldenTest.zoo().resolve("gemma2-tiny");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel model = SegmentModel.load(dir, options)) {
            DocumentState start = model.initialState(1);
            assertThatThrownBy(() -> model.run(new long[0], start))
                    .isInstanceOfSatisfying(InvalidSegmentException.class,
                            e -> assertThat(e.type().slug()).isEqualTo("empty-segment"));
            assertThatThrownBy(() -> model.run(new long[] {65, 256}, start))
                    .isInstanceOfSatisfying(InvalidSegmentException.class,
                            e -> assertThat(e.type().slug()).isEqualTo("token-out-of-vocabulary"))
                    .hasMessageContaining("256");
        }
        // A model without ragged batches (an export made before them) refuses segments of different lengths.
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             SegmentModel old = SegmentModel.load(TokenNllTest.OLD_STYLE, options)) {
            assertThat(old.plan().ragged()).isFalse();
            DocumentState start = old.initialState(1);
            assertThatThrownBy(() -> old.run(List.of(new SegmentInput(new long[] {65, 66}, start),
                    new SegmentInput(new long[] {65}, start))))
                    .isInstanceOfSatisfying(InvalidSegmentException.class,
                            e -> assertThat(e.type().slug()).isEqualTo("unequal-segment-lengths"));
        }
    }

    static long[] ids(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long[] out = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xFF;
        }
        return out;
    }

    static long[] slice(long[] text, int from, int length) {
        return java.util.Arrays.copyOfRange(text, from, from + length);
    }
}
