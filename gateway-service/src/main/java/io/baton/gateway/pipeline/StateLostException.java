package io.baton.gateway.pipeline;

import io.baton.gateway.GatewayException;
import io.baton.protocol.BatonHeaders;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * The store lost state it had acknowledged (503 {@code state-lost}): inference answered that the
 * document expects a segment at or below one that this run had already seen stored (or whose answer
 * it had recorded before it began, {@link SegmentRecorder#recordedThrough()}), which happens
 * when the store restarted without persistence. The run stops: resuming would build on a state
 * that is not the document's, and a summary from it would be silently wrong.
 */
public final class StateLostException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long stored;
    private final long expected;

    public StateLostException(String document, long segment, long stored, long expected) {
        super("document " + document + " lost stored state: segments up to " + stored + " were stored, but at "
                + "segment " + segment + " the store expects segment " + expected + " (the state store "
                + "restarted without persistence?); run the document again from its start");
        this.stored = stored;
        this.expected = expected;
    }

    @Override
    public ProblemType type() {
        return ProblemType.STATE_LOST;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("storedSegment", stored, BatonHeaders.EXPECTED_SEGMENT, expected);
    }
}
