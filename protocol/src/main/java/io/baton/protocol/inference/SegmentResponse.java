package io.baton.protocol.inference;

import java.util.List;

/**
 * What a processed segment returns.
 *
 * @param document        the document id
 * @param segment         the segment index, now stored as the document's head
 * @param model           the model that ran it
 * @param tokens          tokens the document has consumed including this segment
 * @param sentenceVectors per requested span, the mean of {@code last_hidden_state} over it
 * @param tokenNll        per position, the negative log-likelihood (nats) of the next token
 * @param digest          the digest of the checkpoint stored for this segment (as the memory
 *                        service names it, {@code Written.storedDigest}: given whether or not the
 *                        stored encoding is lossy), so a writer can tell its own checkpoint from
 *                        another's; null from a service that does not say
 */
public record SegmentResponse(String document, long segment, String model, long tokens,
                              List<float[]> sentenceVectors, double[] tokenNll, String digest) {

    /** This answer naming {@code storedDigest} as its checkpoint's digest (known once the put is done). */
    public SegmentResponse withDigest(String storedDigest) {
        return new SegmentResponse(document, segment, model, tokens, sentenceVectors, tokenNll, storedDigest);
    }
}
