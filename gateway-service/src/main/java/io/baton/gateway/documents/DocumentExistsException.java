package io.baton.gateway.documents;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** An ingest names an id the tenant already has a document under (409). */
public final class DocumentExistsException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public DocumentExistsException(String document) {
        super("document " + document + " exists already; append to it, or delete it first");
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_EXISTS;
    }
}
