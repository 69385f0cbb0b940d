package io.baton.gateway.documents;

import java.util.List;

/** What {@code POST /v1/documents/{id}/generate} streams: a {@code token} event per token, then {@code done}. */
public sealed interface GenerationEvent {

    /**
     * One generated token.
     *
     * @param index   its position among the new tokens
     * @param token   its id
     * @param text    the text it completes: what the decoded output grew by (empty while a
     *                multi-byte character is still incomplete)
     * @param logprob the model's log-probability of it at temperature 1
     */
    record Token(int index, long token, String text, double logprob) implements GenerationEvent {
    }

    /**
     * The end of the generation.
     *
     * @param document    the document id
     * @param fromSegment the checkpoint generated from (the head when the request came)
     * @param tokens      all new token ids
     * @param text        all new tokens decoded
     * @param reason      {@code length}: maxTokens reached
     */
    record Done(String document, long fromSegment, List<Long> tokens, String text, String reason)
            implements GenerationEvent {
    }
}
