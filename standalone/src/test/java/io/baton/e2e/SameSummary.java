package io.baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.baton.gateway.summarize.SummaryResponse;
import java.util.List;

/**
 * One summary against the summary of the same request made elsewhere (alone, or as
 * {@code POST /v1/summaries}): the same summary text and the same sentences with the same spans,
 * each score within {@link #SCORE_TOLERANCE} of the other's, relative.
 *
 * <p>Why a tolerance on scores: a segment's outputs depend, in their last bits, on the run it rode in.
 * In a ragged batch (a model whose plan says {@code "ragged": true}, every zoo model since session 19) a
 * shorter segment is padded to the batch's longest, so its sums run over more (zero-weighted) terms in
 * another order; and the default model's batches were not bit for bit its runs alone even at one length.
 * Seen: at most 2.3e-8 relative over SQuALITY stories (BatchesOnRealTrafficIT, 2026-12-05) and 8.3e-10
 * over Moby Dick excerpts in a batch job (JobsDistributedIT, 2026-12-05). The sentences chosen and the
 * text must still be exactly the same.
 */
public final class SameSummary {

    /** Relative, per score. */
    public static final double SCORE_TOLERANCE = 1e-6;

    private SameSummary() {
    }

    /** {@code got} (sentences and text) is {@code want}'s summary, scores within {@link #SCORE_TOLERANCE}. */
    public static void assertSame(String what, List<SummaryResponse.Sentence> got, String gotSummary, SummaryResponse want) {
        List<SummaryResponse.Sentence> wanted = want.sentences();
        assertThat(got).as("%s: sentences and spans", what)
                .extracting(SummaryResponse.Sentence::text, SummaryResponse.Sentence::start, SummaryResponse.Sentence::end)
                .isEqualTo(wanted.stream().map(w -> tuple(w.text(), w.start(), w.end())).toList());
        for (int k = 0; k < wanted.size(); k++) {
            assertThat(got.get(k).score()).as("%s: sentence %d's score", what, k)
                    .isCloseTo(wanted.get(k).score(), within(SCORE_TOLERANCE * Math.abs(wanted.get(k).score())));
        }
        assertThat(gotSummary).as("%s: summary text", what).isEqualTo(want.summary());
    }
}
