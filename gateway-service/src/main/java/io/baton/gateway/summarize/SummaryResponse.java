package io.baton.gateway.summarize;

import java.util.List;

/**
 * A summary: its text, the picked sentences in document order, and how the run went.
 *
 * @param summary   the picked sentences joined by spaces, whitespace inside each collapsed
 * @param sentences the picked sentences
 * @param stats     the run's totals
 */
public record SummaryResponse(String summary, List<Sentence> sentences, Stats stats) {

    /**
     * A picked sentence.
     *
     * @param text  its text, exactly {@code document.substring(start, end)}
     * @param start its first character in the document (UTF-16 index)
     * @param end   the character after its last one
     * @param score its relevance, the mix of standard scores selection ranked it by ({@code MmrSelector})
     */
    public record Sentence(String text, long start, long end, double score) {
    }

    /**
     * @param tokens          the document's tokens
     * @param segments        segments run
     * @param ms              milliseconds from the request to the summary
     * @param tokensPerSecond tokens per second over that time
     */
    public record Stats(long tokens, long segments, long ms, double tokensPerSecond) {
    }
}
