package io.baton.gateway.documents;

import io.baton.gateway.GatewayException;

/** Another request is writing the document now (409): the lease is held. */
public final class DocumentBusyException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public DocumentBusyException(String document) {
        super("document " + document + " is being written by another request; try again when it is done");
    }

    @Override
    public String type() {
        return "document-busy";
    }

    @Override
    public int status() {
        return 409;
    }
}
