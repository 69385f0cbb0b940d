package io.baton.evaluation.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.gateway.segmenting.SentenceSplitter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The baselines' sentences, length rule and rankings. */
class BaselinesTest {

    private static final String TEXT = """
            The Harbour Report

            The harbour commission met on Monday to discuss the new dock. The new dock will \
            hold twelve ships. Mr. Smith said the dock is late. Fish prices rose again.
            The commission approved money for the new dock and the harbour lights. Yes.
            """;

    @Test
    void sentencesAreTheGatewaySplittersWithoutWhitespace() {
        List<DocumentSentences.Sentence> sentences = DocumentSentences.of(TEXT);
        List<String> splitter = new SentenceSplitter().split(TEXT).stream()
                .map(span -> TEXT.substring((int) span.start(), (int) span.end()).strip()).toList();
        assertEquals(splitter, sentences.stream().map(DocumentSentences.Sentence::text).toList());
        assertEquals("Mr. Smith said the dock is late.", sentences.get(3).text());   // a title runs on
        assertEquals(List.of(3, 11, 7, 7, 4, 12, 1), sentences.stream().map(DocumentSentences.Sentence::words).toList());
        assertEquals(IntStream.range(0, 7).boxed().toList(), sentences.stream().map(DocumentSentences.Sentence::index).toList());
    }

    @Test
    void theWordBudgetIsTheGatewaysRule() {
        List<DocumentSentences.Sentence> sentences = DocumentSentences.of(TEXT);
        // words: [3, 11, 7, 7, 4, 12, 1]; sentences of fewer than 4 words come last:
        // 11 + 7 = 18, then 7, 4 and 12 overflow, 3 overflows, 1 fits (19)
        assertEquals(List.of(1, 2, 6), indices(new WordBudget(20, 4).pick(sentences, new LeadRanker().rank(sentences))));
        // the first pick always goes in, however long
        assertEquals(List.of(5), indices(new WordBudget(5, 4).pick(sentences, new int[] {5, 0, 1, 2, 3, 4, 6})));
        // a sentence that would overflow is skipped, a later one that fits is taken: 7, (11), 7, (4), (12), (3), 1
        assertEquals(List.of(2, 3, 6), indices(new WordBudget(16, 4).pick(sentences, new int[] {2, 1, 3, 4, 5, 0, 6})));
        // short sentences fill what is left once the long ones are exhausted, output in document order
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), indices(new WordBudget(100, 4).pick(sentences,
                new int[] {6, 5, 4, 3, 2, 1, 0})));
        // 11, (7), (7), 4: 15 words reached
        assertEquals("The harbour commission met on Monday to discuss the new dock.\nFish prices rose again.",
                DocumentSentences.lines(new WordBudget(15, 4).pick(sentences, new LeadRanker().rank(sentences))));
    }

    @Test
    void randomIsAReproduciblePermutationPerSeed() {
        List<DocumentSentences.Sentence> fifty = DocumentSentences.of("Word one here. ".repeat(50));
        int[] a = new RandomRanker(1).rank(fifty);
        assertArrayEquals(a, new RandomRanker(1).rank(fifty));
        assertFalse(Arrays.equals(a, new RandomRanker(2).rank(fifty)));
        assertFalse(Arrays.equals(a, new LeadRanker().rank(fifty)));
        assertArrayEquals(IntStream.range(0, 50).toArray(), Arrays.stream(a).sorted().toArray());
    }

    @Test
    void pageRankOfAPathIsTheClosedForm() {
        // a - b - c, weights 1: PR_b = 0.15/3 + 0.85 (PR_a + PR_c), PR_a = PR_c = (1 - PR_b) / 2
        double[] rank = TextRankRanker.pageRank(new double[][] {{0, 1, 0}, {1, 0, 1}, {0, 1, 0}});
        double b = 0.9 / 1.85;
        assertArrayEquals(new double[] {(1 - b) / 2, b, (1 - b) / 2}, rank, 1e-9);
    }

    @Test
    void pageRankGivesASentenceWithNoNeighboursTheTeleportShareAndSumsToOne() {
        double[] rank = TextRankRanker.pageRank(new double[][] {{0, 0.5, 0}, {0.5, 0, 0}, {0, 0, 0}});
        assertEquals(1, Arrays.stream(rank).sum(), 1e-9);
        assertEquals(rank[0], rank[1], 1e-12);
        assertTrue(rank[2] < rank[0]);
    }

    @Test
    void textRankPrefersTheSentenceThatSharesMostWithTheOthers() {
        String text = "The dock holds ships. Ships need a dock and lights. Lights guide ships to the dock. "
                + "Bananas are yellow fruit.";
        List<DocumentSentences.Sentence> sentences = DocumentSentences.of(text);
        int[] order = new TextRankRanker().rank(sentences);
        assertNotEquals(3, order[0]);
        assertEquals(3, order[3], "the sentence sharing no word ranks last");
        assertEquals(1, Arrays.stream(new TextRankRanker().scores(sentences)).sum(), 1e-9);
    }

    private static List<Integer> indices(List<DocumentSentences.Sentence> picked) {
        return picked.stream().map(DocumentSentences.Sentence::index).toList();
    }
}
