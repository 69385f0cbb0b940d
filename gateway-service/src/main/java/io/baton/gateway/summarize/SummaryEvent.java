package io.baton.gateway.summarize;

import io.baton.gateway.pipeline.SegmentProgress;

/** What a summary run emits: progress after each segment, then the summary. */
public sealed interface SummaryEvent {

    /** After one segment. */
    record Progress(SegmentProgress progress) implements SummaryEvent {
    }

    /** The summary, last. */
    record Done(SummaryResponse summary) implements SummaryEvent {
    }
}
