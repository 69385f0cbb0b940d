package io.baton.gateway.summarize;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Where a summary that may be interrupted keeps its progress (a batch job's request): the answer
 * of each segment, recorded before the next one is sent, and whether the run should pause before
 * its next segment. A run resumed from a journal replays the recorded answers instead of running
 * their segments again, and gives the summary a run without interruption would give.
 */
public interface SummaryJournal {

    /** The answers recorded so far, segment 0 first (as {@link #record} was given them). */
    List<byte[]> recorded();

    /** Records the answer to segment {@code segment}; a failure fails the run. */
    Mono<Void> record(long segment, byte[] answer);

    /** Whether to stop before the next segment (the run then ends {@link SummaryEvent.Paused}). */
    boolean pause();
}
