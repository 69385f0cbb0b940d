package io.baton.gateway.summarize;

import io.baton.gateway.pipeline.SegmentProgress;

/**
 * What a summary run emits: progress after each segment, then the summary, or, for a run from a
 * {@link SummaryJournal} that asked to pause, {@link Paused}.
 */
public sealed interface SummaryEvent {

    /** After one segment. */
    record Progress(SegmentProgress progress) implements SummaryEvent {
    }

    /** The summary, last. */
    record Done(SummaryResponse summary) implements SummaryEvent {
    }

    /** A journalled run stopped before its next segment, as its journal asked; it resumes from the journal. */
    record Paused(long segments) implements SummaryEvent {
    }
}
