package io.baton.memory.store;

/**
 * The newest checkpoint of a document.
 *
 * @param segment     index of the newest checkpoint (the document has processed segments 0..segment)
 * @param tokens      tokens consumed up to and including that segment
 * @param model       model id the state belongs to
 * @param modelDigest SHA-256 of the model file; a checkpoint of another digest is refused
 * @param bytes       size of the newest checkpoint's container as written by the client
 * @param storedBytes bytes kept for the document in the store, all retained checkpoints together
 * @param version     number of accepted writes to this document (idempotent repeats do not count)
 * @param oldest      index of the oldest checkpoint still kept
 */
public record Head(long segment, long tokens, String model, String modelDigest, long bytes,
                   long storedBytes, long version, long oldest) {
}
