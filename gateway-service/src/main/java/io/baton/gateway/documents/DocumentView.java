package io.baton.gateway.documents;

/**
 * A document as stored ({@code GET /v1/documents/{id}}, and in every write's answer).
 *
 * @param id          the document id
 * @param model       the model its state belongs to
 * @param modelDigest SHA-256 of that model's file
 * @param segment     its head: the newest segment stored (segments are numbered from 0)
 * @param segments    segments it has consumed ({@code segment + 1})
 * @param tokens      tokens it has consumed
 * @param version     writes the memory service accepted for it
 * @param stateDigest {@code sha256:<hex>} of the head checkpoint's state tensors (names, dtypes,
 *                    shapes, bytes; not the metadata, which names the document), so two
 *                    documents with the same state have the same digest; null when the head
 *                    checkpoint could not be read
 */
public record DocumentView(String id, String model, String modelDigest, long segment, long segments, long tokens,
                           long version, String stateDigest) {
}
