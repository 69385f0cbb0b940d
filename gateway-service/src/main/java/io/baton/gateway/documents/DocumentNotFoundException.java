package io.baton.gateway.documents;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** The tenant has no such document (404): never ingested, deleted, or expired. */
public final class DocumentNotFoundException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public DocumentNotFoundException(String document) {
        super("no document " + document + " (never ingested, deleted, or expired)");
    }

    @Override
    public ProblemType type() {
        return ProblemType.DOCUMENT_NOT_FOUND;
    }
}
