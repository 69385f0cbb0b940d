package io.baton.gateway.summarize;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/**
 * {@code POST /v1/summaries}.
 *
 * @param text      the document
 * @param model     model id; the default model when absent
 * @param mode      {@code extractive} (the default) or {@code abstractive}
 * @param sentences how many sentences to pick (extractive) or to cut the generated text after
 *                  (abstractive); the configured default when neither this nor {@code words} is
 *                  given
 * @param words     instead of a number of sentences, pick sentences while their words fit in this
 *                  (extractive), or cut the generated text after this many words (abstractive)
 */
public record SummaryRequest(@NotNull String text, String model, String mode, @Positive Integer sentences,
                             @Positive Integer words) {

    /** The extractive mode. */
    public static final String EXTRACTIVE = "extractive";
    /** The abstractive mode. */
    public static final String ABSTRACTIVE = "abstractive";

    public SummaryRequest {
        mode = mode == null || mode.isBlank() ? EXTRACTIVE : mode.strip();
    }
}
