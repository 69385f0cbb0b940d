package io.baton.memory.api;

import io.baton.memory.store.DocumentPage;
import java.time.Instant;
import java.util.List;

/**
 * One page of {@code GET /v1/documents}; pass {@code next} as {@code cursor} for the following
 * page, absent on the last one.
 */
public record DocumentListResponse(List<Entry> documents, String next) {

    /** One document: its newest segment, bytes kept for it, and when it expires if untouched. */
    public record Entry(String document, long segment, long storedBytes, Instant expiresAt) {
    }

    static DocumentListResponse of(DocumentPage page) {
        return new DocumentListResponse(page.documents().stream()
                .map(d -> new Entry(d.document(), d.segment(), d.storedBytes(), d.expiresAt()))
                .toList(), page.next());
    }
}
