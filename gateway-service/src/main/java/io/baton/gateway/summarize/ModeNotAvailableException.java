package io.baton.gateway.summarize;

import io.baton.gateway.GatewayException;

/** A summary mode that exists in the API but is not available yet ({@code abstractive}; 501). */
public final class ModeNotAvailableException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public ModeNotAvailableException(String mode) {
        super("summary mode '" + mode + "' is not available yet; use 'extractive'");
    }

    @Override
    public String type() {
        return "mode-not-available";
    }

    @Override
    public int status() {
        return 501;
    }
}
