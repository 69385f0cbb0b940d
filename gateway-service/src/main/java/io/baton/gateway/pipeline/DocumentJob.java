package io.baton.gateway.pipeline;

import io.baton.gateway.segmenting.Segment;
import io.baton.protocol.inference.Priority;
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
 * @param onStored   what to do when inference answers that the document is further on than a
 *                   segment (it was stored by an earlier attempt, so it is not run again)
 * @param priority   whose work it is, sent with every segment: a batch job's documents yield to
 *                   interactive ones at inference
 * @param recorder   what keeps each answer before the next segment is sent
 */
public record DocumentJob(String tenant, String document, String model, Supplier<Iterator<Segment>> segments,
                          long totalChars, OnStored onStored, Priority priority, SegmentRecorder recorder) {


    /** An interactive job that needs every segment's answer ({@link OnStored#ANSWER_NEEDED}). */
    public DocumentJob(String tenant, String document, String model, Supplier<Iterator<Segment>> segments,
                       long totalChars) {
        this(tenant, document, model, segments, totalChars, OnStored.ANSWER_NEEDED);
    }

    /** An interactive job (somebody waits for it) whose answers are not recorded. */
    public DocumentJob(String tenant, String document, String model, Supplier<Iterator<Segment>> segments,
                       long totalChars, OnStored onStored) {
        this(tenant, document, model, segments, totalChars, onStored, Priority.INTERACTIVE, SegmentRecorder.NONE);
    }

    /** What a run does with a segment the document already holds, stored by an earlier attempt. */
    public enum OnStored {
        /**
         * The consumer needs every segment's answer (a summary's sentence vectors), which a stored
         * segment no longer has: the run fails with {@link AnswerLostException}. Every result of
         * such a run has a response.
         */
        ANSWER_NEEDED,
        /**
         * A rerun of the same text that needs only the document's state: the stored segments are
         * passed over as results without a response ({@link SegmentResult#skipped()}) and the run
         * resumes at the segment the document expects.
         */
        SKIP,
        /**
         * A write that must apply every one of its segments itself (ingest, append): the run fails
         * with {@link DocumentConflictException}, whichever way the document moved.
         */
        CONFLICT
    }
}
