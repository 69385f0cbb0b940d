package io.baton.evaluation.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.evaluation.rouge.RougeScorer;
import io.baton.evaluation.rouge.RougeType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The greedy oracle: what it picks, when it stops, and the length rule it obeys. */
class GreedyOracleTest {

    private static final String TEXT = """
            The harbour commission met on Monday to discuss the new dock. The new dock will \
            hold twelve ships. Mr. Smith said the dock is late. Fish prices rose again. \
            The commission approved money for the new dock and the harbour lights.
            """;

    private final GreedyOracle oracle = new GreedyOracle();
    private final List<DocumentSentences.Sentence> sentences = DocumentSentences.of(TEXT);

    @Test
    void aReferenceThatIsOneSentencePicksThatSentenceAlone() {
        // words: [11, 7, 7, 4, 12]; any second sentence would lower the precision more than it adds
        assertEquals(List.of(2), indices(oracle.pick(sentences, List.of("Mr. Smith said the dock is late."), 100)));
        // stemming and case do not matter to ROUGE, so not to the oracle either
        assertEquals(List.of(3), indices(oracle.pick(sentences, List.of("fish PRICE rising again"), 100)));
    }

    @Test
    void aReferenceThatCoversTwoSentencesPicksBothInDocumentOrder() {
        List<String> reference = List.of("The commission approved money for the new dock and the harbour lights."
                + " The new dock will hold twelve ships.");
        assertEquals(List.of(1, 4), indices(oracle.pick(sentences, reference, 100)));
    }

    @Test
    void itObeysTheWordBudget() {
        List<String> reference = List.of(TEXT);
        // the first pick always goes in, however long; nothing else fits in 5 words
        List<DocumentSentences.Sentence> one = oracle.pick(sentences, reference, 5);
        assertEquals(1, one.size());
        // at 20 words: every pick within the budget
        List<DocumentSentences.Sentence> some = oracle.pick(sentences, reference, 20);
        assertTrue(some.stream().mapToInt(DocumentSentences.Sentence::words).sum() <= 20, "within 20 words: " + some);
        // with room for everything and the whole text as the reference it takes every sentence
        assertEquals(List.of(0, 1, 2, 3, 4), indices(oracle.pick(sentences, reference, 1000)));
    }

    @Test
    void withSeveralReferencesItScoresAgainstTheBestAndBeatsEveryBaseline() {
        List<String> references = List.of("Fish prices rose.", "The new dock is late, Mr. Smith said,"
                + " and it will hold twelve ships.");
        // "Fish prices rose again." against the first reference (ROUGE-1 F1 0.86, ROUGE-2 0.80): each type is
        // scored against the reference where it is highest, and no sentence added to it raises that mean
        List<DocumentSentences.Sentence> picked = oracle.pick(sentences, references, 15);
        assertEquals(List.of(3), indices(picked));
        RougeScorer rouge = new RougeScorer(true);
        double oracleRouge2 = rouge.scoreMulti(references, DocumentSentences.lines(picked)).get(RougeType.ROUGE2).f1();
        WordBudget budget = new WordBudget(15, 4);
        for (Ranker baseline : List.of(new LeadRanker(), new TextRankRanker(), new RandomRanker(1))) {
            String text = DocumentSentences.lines(budget.pick(sentences, baseline.rank(sentences)));
            assertTrue(rouge.scoreMulti(references, text).get(RougeType.ROUGE2).f1() <= oracleRouge2, baseline.name());
        }
    }

    @Test
    void sentencesWithoutWordsAreNeverPicked() {
        List<DocumentSentences.Sentence> withPunctuation = DocumentSentences.of("-- . The dock is late.");
        assertEquals(List.of("The dock is late."), oracle.pick(withPunctuation, List.of("the dock is late"), 100).stream()
                .map(DocumentSentences.Sentence::text).toList());
    }

    private static List<Integer> indices(List<DocumentSentences.Sentence> picked) {
        return picked.stream().map(DocumentSentences.Sentence::index).toList();
    }
}
