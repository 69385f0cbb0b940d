package io.baton.gateway.documents;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** Another request is writing the document now (409): the lease is held. */
public final class DocumentBusyException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public DocumentBusyException(String document) {
        super("document " + document + " is being written by another request; try again when it is done");
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_BUSY;
    }
}
