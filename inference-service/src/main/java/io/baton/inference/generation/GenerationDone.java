package io.baton.inference.generation;

import java.util.List;

/**
 * The last event of a generation: all new token ids, and why it ended ({@code length}: maxTokens
 * reached; {@code stop}: a stop token was generated).
 */
public record GenerationDone(String document, long fromSegment, List<Long> tokens, String reason) {
}
