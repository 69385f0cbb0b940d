package io.baton.gateway.documents;

import java.util.UUID;

/** Document ids: what the memory service accepts, and fresh ones. */
final class DocumentIds {

    /** The form of a document id (the memory service's). */
    static final String PATTERN = "[A-Za-z0-9._-]{1,128}";

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile(PATTERN);

    private DocumentIds() {
    }

    /** A fresh id. */
    static String fresh() {
        return "doc-" + UUID.randomUUID();
    }

    /** Whether {@code id} can name a document; one that cannot is not found. */
    static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
