package io.baton.gateway.summarize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmrSelectorTest {

    /** Sentences about a harbour, one repeated word for word, and one about taxes. */
    private static final List<String> TEXTS = List.of(
            "The ship left the harbour at dawn with the whole crew on deck.",
            "The crew watched the harbour lights fade behind the ship.",
            "The ship left the harbour at dawn with the whole crew on deck.",
            "By noon the ship had left the harbour far behind and the crew rested.",
            "Quarterly tax returns must be filed before the end of April.");

    /** Model vectors: the harbour sentences close to one direction, the tax one far from it. */
    private static final double[][] VECTORS = {
        {1.0, 0.2, 0.1}, {0.9, 0.4, 0.0}, {1.0, 0.2, 0.1}, {0.9, 0.0, 0.3}, {-0.2, 0.1, 1.0}};

    private static List<MmrSelector.Candidate> candidates(double[][] vectors, List<String> texts) {
        List<TermVector> terms = TermVector.of(texts);
        List<MmrSelector.Candidate> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            out.add(new MmrSelector.Candidate(vectors[i], terms.get(i),
                    texts.get(i).split("\\s+").length));
        }
        return out;
    }

    private static MmrSelector selector(double lambda, double lexicalWeight) {
        return new MmrSelector(new MmrSelector.Weights(lambda, lexicalWeight, 0));
    }

    private static boolean[] all(int n) {
        boolean[] eligible = new boolean[n];
        Arrays.fill(eligible, true);
        return eligible;
    }

    private static List<Integer> picked(MmrSelector selector, List<MmrSelector.Candidate> candidates, int sentences) {
        return selector.select(candidates, all(candidates.size()), sentences, 0).stream()
                .map(MmrSelector.Pick::index).toList();
    }

    @Test
    void theOffTopicSentenceIsTheLeastRelevantAndIsNotPickedFirst() {
        for (double lexicalWeight : new double[] {0, 0.3, 1}) {
            MmrSelector selector = selector(0.7, lexicalWeight);
            double[] relevance = selector.relevance(candidates(VECTORS, TEXTS));
            for (int i = 0; i < 4; i++) {
                assertTrue(relevance[4] < relevance[i], "lexical weight " + lexicalWeight + ": " + Arrays.toString(relevance));
            }
            assertNotEquals(4, picked(selector, candidates(VECTORS, TEXTS), 1).get(0));
        }
    }

    @Test
    void aRepeatedSentenceIsNotPickedTwiceWithTheDefaultLambda() {
        for (double lexicalWeight : new double[] {0, 0.5, 1}) {
            List<Integer> picks = picked(selector(0.3, lexicalWeight), candidates(VECTORS, TEXTS), 3);
            assertEquals(3, picks.size());
            assertTrue(!(picks.contains(0) && picks.contains(2)), "lexical weight " + lexicalWeight + ": " + picks);
        }
    }

    @Test
    void withLambdaOneTheMostRelevantSentencesArePickedEvenWhenTheyRepeat() {
        double[] relevance = selector(1.0, 0.5).relevance(candidates(VECTORS, TEXTS));
        assertEquals(relevance[0], relevance[2], 1e-12, "a sentence and its repeat are equally relevant");
        List<Integer> byRelevance = java.util.stream.IntStream.range(0, relevance.length).boxed()
                .sorted((i, j) -> Double.compare(relevance[j], relevance[i])).toList();
        assertEquals(byRelevance.subList(0, 3), picked(selector(1.0, 0.5), candidates(VECTORS, TEXTS), 3));
        assertTrue(byRelevance.subList(0, 3).containsAll(List.of(0, 2)), "the repeat is among the top three: "
                + Arrays.toString(relevance));
    }

    @Test
    void withLexicalWeightZeroOnlyTheModelVectorsDecide() {
        // The words of sentence 4 are now those of the harbour sentences, its vector still points away.
        List<String> texts = new ArrayList<>(TEXTS);
        texts.set(4, "The ship and the crew left the harbour at dawn.");
        double[] modelOnly = selector(0.7, 0).relevance(candidates(VECTORS, texts));
        double[] before = selector(0.7, 0).relevance(candidates(VECTORS, TEXTS));
        assertEquals(Arrays.toString(before), Arrays.toString(modelOnly));
        double[] mixed = selector(0.7, 0.5).relevance(candidates(VECTORS, texts));
        double[] mixedBefore = selector(0.7, 0.5).relevance(candidates(VECTORS, TEXTS));
        assertTrue(mixed[4] > mixedBefore[4], "its words make it more relevant once they count");
    }

    @Test
    void aWordBudgetIsKeptAndShortSentencesComeLast() {
        List<MmrSelector.Candidate> candidates = candidates(VECTORS, TEXTS);
        boolean[] eligible = all(candidates.size());
        eligible[0] = false;
        eligible[2] = false;
        List<MmrSelector.Pick> picks = selector(0.7, 0.3).select(candidates, eligible, Integer.MAX_VALUE, 25);
        int words = picks.stream().mapToInt(p -> candidates.get(p.index()).words()).sum();
        assertTrue(words <= 25, "words " + words);
        assertTrue(picks.stream().noneMatch(p -> p.index() == 0 || p.index() == 2), picks.toString());
        List<MmrSelector.Pick> onlyShort = selector(0.7, 0.3)
                .select(candidates, new boolean[candidates.size()], 1, 0);
        assertEquals(1, onlyShort.size(), "with no eligible sentence one is still picked");
    }

    @Test
    void aLengthWeightPrefersTheLongerOfTwoEquallyRelevantSentences() {
        List<String> texts = List.of("The crew rested.", "The crew rested on deck for a long while after the storm had passed.");
        double[][] vectors = {{1, 0}, {1, 0}};
        List<TermVector> terms = TermVector.of(List.of("crew", "crew"));   // the same words: equally relevant
        List<MmrSelector.Candidate> candidates = List.of(new MmrSelector.Candidate(vectors[0], terms.get(0), 3),
                new MmrSelector.Candidate(vectors[1], terms.get(1), 14));
        double[] none = new MmrSelector(new MmrSelector.Weights(0.7, 0.5, 0)).relevance(candidates);
        assertEquals(none[0], none[1], 1e-12);
        double[] some = new MmrSelector(new MmrSelector.Weights(0.7, 0.5, 0.25)).relevance(candidates);
        assertTrue(some[1] > some[0], Arrays.toString(some) + " for " + texts);
    }

    @Test
    void similarityIsTakenAfterTheDocumentsMeanVectorIsSubtracted() {
        // Raw cosines all near 1 (one shared large component), centred ones tell the sentences apart.
        double[][] vectors = {{10, 1, 0}, {10, 1, 0.05}, {10, -1, 0}, {10, 0, 1}};
        List<MmrSelector.Candidate> candidates = candidates(vectors, List.of("a", "b", "c", "d"));
        double[][] centred = MmrSelector.centred(candidates);
        assertTrue(MmrSelector.dot(MmrSelector.unit(vectors[0]), MmrSelector.unit(vectors[2])) > 0.98);
        assertTrue(MmrSelector.dot(centred[0], centred[2]) < 0, "opposite after centring");
        assertTrue(MmrSelector.dot(centred[0], centred[1]) > 0.9, "near-repeats stay close");
    }

    @Test
    void standardScoresHaveMeanZeroAndUnitSpreadAndAreZeroWhenAllAreEqual() {
        double[] z = MmrSelector.standardised(new double[] {1, 2, 3, 4});
        assertEquals(0, Arrays.stream(z).sum(), 1e-12);
        assertEquals(1, Arrays.stream(z).map(v -> v * v).average().orElseThrow(), 1e-12);
        assertEquals("[0.0, 0.0]", Arrays.toString(MmrSelector.standardised(new double[] {0.7, 0.7})));
    }
}
