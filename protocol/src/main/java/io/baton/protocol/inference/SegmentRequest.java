package io.baton.protocol.inference;

import io.baton.protocol.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;

/**
 * {@code POST /v1/segments}: segment {@code segment} of {@code document}, as token ids, with
 * the sentence spans [start, end) (token offsets within this segment) to read out.
 *
 * @param document  the document id
 * @param segment   its index (0 for the first); checkpoint {@code segment - 1} must be stored
 * @param model     model id; the default model when absent
 * @param tokens    the segment's token ids
 * @param sentences sentence spans as [start, end) pairs of token offsets; none when absent
 * @param nextToken the first token of the following segment, if known, so the last position's
 *                  prediction is scored too
 * @param priority  whose work it is: {@link Priority#INTERACTIVE} when absent (a caller that
 *                  predates it), {@link Priority#BATCH} for a batch job's documents, which yield
 *                  to interactive ones at inference
 */
public record SegmentRequest(
        @NotNull @Pattern(regexp = Ids.DOCUMENT_PATTERN, message = "must match " + Ids.DOCUMENT_PATTERN) String document,
        @NotNull @PositiveOrZero Long segment,
        String model,
        @NotNull long[] tokens,
        List<int[]> sentences,
        Long nextToken,
        Priority priority) {

    public SegmentRequest {
        sentences = sentences == null ? List.of() : List.copyOf(sentences);
        priority = priority == null ? Priority.INTERACTIVE : priority;
    }

    /** An interactive request (no {@code priority}). */
    public SegmentRequest(String document, Long segment, String model, long[] tokens, List<int[]> sentences,
                          Long nextToken) {
        this(document, segment, model, tokens, sentences, nextToken, Priority.INTERACTIVE);
    }
}
