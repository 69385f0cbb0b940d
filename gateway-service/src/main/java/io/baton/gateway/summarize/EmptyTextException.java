package io.baton.gateway.summarize;

import io.baton.gateway.GatewayException;

/** The text to summarize is empty or only whitespace (400). */
public final class EmptyTextException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public EmptyTextException() {
        super("the text is empty or only whitespace; there is nothing to summarize");
    }

    @Override
    public String type() {
        return "empty-text";
    }

    @Override
    public int status() {
        return 400;
    }
}
