package io.baton.gateway.documents;

import io.baton.gateway.GatewayException;

/** A documents request that cannot be run as given, e.g. a prompt with no tokens (400). */
public final class InvalidDocumentRequestException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public InvalidDocumentRequestException(String message) {
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
