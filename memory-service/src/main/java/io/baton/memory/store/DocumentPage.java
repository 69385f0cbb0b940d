package io.baton.memory.store;

import java.util.List;

/**
 * One page of a tenant's documents; {@code next} is the cursor of the following page, or null
 * when this is the last one.
 */
public record DocumentPage(List<DocumentSummary> documents, String next) {

    public DocumentPage {
        documents = List.copyOf(documents);
    }
}
