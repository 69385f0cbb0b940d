package io.baton.protocol.memory;

/**
 * A stored checkpoint as the memory service acknowledged it.
 *
 * @param head         the document's head afterwards
 * @param digest       the stored checkpoint's digest when it reads back exactly as written, so that
 *                     the writer may continue from its own copy and name this digest as the parent
 *                     of its next write; null when it does not (a lossy downcast) or is not known
 * @param storedDigest the stored checkpoint's digest whether or not it reads back exactly: what
 *                     names this checkpoint, e.g. in a delete on condition that it is still the
 *                     document's head ({@link MemoryClient#delete(String, String, String)}); null
 *                     when not known
 */
public record Written(StoredHead head, String digest, String storedDigest) {
}
