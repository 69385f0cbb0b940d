package io.baton.gateway.pipeline;

import io.baton.gateway.segmenting.Segment;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * One document to run through inference.
 *
 * @param tenant     whose document it is
 * @param document   the document id (inference stores its checkpoints under it)
 * @param model      the model id, already resolved
 * @param segments   the document's segments, in order, from its first; called once per run
 * @param totalChars the document's length in characters, if known (0 if not); progress uses it
 *                   to estimate the number of segments
 * @param resume     what to do when inference answers that the document is further on than a
 *                   segment: {@code true} (a rerun of the same text) skips the segments it
 *                   already holds and resumes; {@code false} (a write that must apply every one
 *                   of its segments, such as an append) fails with {@link DocumentConflictException}
 */
public record DocumentJob(String tenant, String document, String model, Supplier<Iterator<Segment>> segments,
                          long totalChars, boolean resume) {

    /** A job that resumes a document that is further on (see {@code resume}). */
    public DocumentJob(String tenant, String document, String model, Supplier<Iterator<Segment>> segments,
                       long totalChars) {
        this(tenant, document, model, segments, totalChars, true);
    }
}
