package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;
import java.util.Map;

/**
 * A text looks like binary data rather than text (400): it holds a NUL character or too many
 * control characters ({@link InputText}). {@code position} is the first offending character
 * (UTF-16 index), {@code controls} how many control characters were counted.
 */
public final class BinaryTextException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final long position;
    private final long controls;

    public BinaryTextException(String message, long position, long controls) {
        super(message);
        this.position = position;
        this.controls = controls;
    }

    @Override
    public ProblemType type() {
        return ProblemType.BINARY_TEXT;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("position", position, "controls", controls);
    }
}
