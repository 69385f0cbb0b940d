package io.baton.protocol.inference;

/**
 * One generated token: its position among the new tokens, its id, and the model's log-probability
 * of it (at temperature 1, whatever the sampling settings).
 */
public record GeneratedToken(int index, long token, double logprob) {
}
