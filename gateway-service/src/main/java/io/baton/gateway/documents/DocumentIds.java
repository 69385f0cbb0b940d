package io.baton.gateway.documents;

import io.baton.protocol.Ids;
import java.util.UUID;

/** Document ids: what the memory service accepts, and fresh ones. */
final class DocumentIds {

    private DocumentIds() {
    }

    /** A fresh id. */
    static String fresh() {
        return "doc-" + UUID.randomUUID();
    }

    /** Whether {@code id} can name a document; one that cannot is not found. */
    static boolean valid(String id) {
        return Ids.isDocument(id);
    }
}
