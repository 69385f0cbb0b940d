package io.baton.gateway.documents;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/**
 * {@code POST /v1/documents/{id}/generate}: a prompt run from the document's head state.
 *
 * @param prompt      text, tokenised with the document's model's tokenizer; at least one token
 * @param maxTokens   the most tokens to generate (32 when absent; at most inference's limit)
 * @param temperature 0 (the default) is greedy; above 0 samples
 * @param topP        nucleus sampling over the most likely tokens up to this probability (1: all)
 * @param seed        the sampler's seed (0 when absent): the same request gives the same tokens
 */
public record PromptRequest(@NotNull String prompt, @Positive Integer maxTokens,
                            @DecimalMin("0.0") @DecimalMax("10.0") Double temperature,
                            @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") Double topP,
                            Long seed) {

    public PromptRequest {
        maxTokens = maxTokens == null ? 32 : maxTokens;
        temperature = temperature == null ? 0.0 : temperature;
        topP = topP == null ? 1.0 : topP;
        seed = seed == null ? 0L : seed;
    }
}
