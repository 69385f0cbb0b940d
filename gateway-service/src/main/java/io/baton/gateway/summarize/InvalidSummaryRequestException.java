package io.baton.gateway.summarize;

import io.baton.gateway.GatewayException;

/** A summary request that asks for something contradictory or unknown, e.g. both sentences and words (400). */
public final class InvalidSummaryRequestException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public InvalidSummaryRequestException(String message) {
        super(message);
    }

    @Override
    public String type() {
        return "invalid-request";
    }

    @Override
    public int status() {
        return 400;
    }
}
