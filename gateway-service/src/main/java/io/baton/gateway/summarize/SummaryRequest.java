package io.baton.gateway.summarize;

import io.swagger.v3.oas.annotations.media.Schema;
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
@Schema(description = "A text to summarize; give sentences or words, not both")
public record SummaryRequest(
        @Schema(description = "the document (UTF-8 text, at most the gateway's body limit)") @NotNull String text,
        @Schema(description = "model id; the default model when absent", example = "gemma2-small") String model,
        @Schema(description = "extractive (the default) or abstractive (experimental: the default model does not summarize this way yet, docs/quality.md)",
                allowableValues = {SummaryRequest.EXTRACTIVE, SummaryRequest.ABSTRACTIVE}) String mode,
        @Schema(description = "how many sentences to pick (the configured default when neither this nor words)",
                example = "5") @Positive Integer sentences,
        @Schema(description = "pick sentences while their words fit in this many") @Positive Integer words) {

    /** The extractive mode. */
    public static final String EXTRACTIVE = "extractive";
    /** The abstractive mode. */
    public static final String ABSTRACTIVE = "abstractive";

    public SummaryRequest {
        mode = mode == null || mode.isBlank() ? EXTRACTIVE : mode.strip();
    }
}
