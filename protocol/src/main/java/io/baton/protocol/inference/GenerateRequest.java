package io.baton.protocol.inference;

import io.baton.protocol.Ids;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;

/**
 * {@code POST /v1/generate}: continue {@code document} from its checkpoint {@code segment} (its
 * head when absent) with {@code prompt}, then generate up to {@code maxTokens} tokens.
 *
 * @param temperature 0 (the default) picks the most likely token; above 0 samples
 * @param topP        nucleus sampling: sample among the most likely tokens whose probabilities
 *                    add up to topP (1 = all)
 * @param seed        the sampler's seed: the same request gives the same tokens
 * @param stop        token ids that end generation (the stop token is included)
 */
public record GenerateRequest(
        @NotNull @Pattern(regexp = Ids.DOCUMENT_PATTERN, message = "must match " + Ids.DOCUMENT_PATTERN) String document,
        @PositiveOrZero Long segment,
        String model,
        @NotNull long[] prompt,
        @Positive Integer maxTokens,
        @DecimalMin("0.0") @DecimalMax("10.0") Double temperature,
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") Double topP,
        Long seed,
        List<Long> stop) {

    public GenerateRequest {
        maxTokens = maxTokens == null ? 32 : maxTokens;
        temperature = temperature == null ? 0.0 : temperature;
        topP = topP == null ? 1.0 : topP;
        seed = seed == null ? 0L : seed;
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
