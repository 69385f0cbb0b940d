package io.baton.gateway.summarize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TermVectorTest {

    @Test
    void tokensAreLowerCasedRunsOfLettersAndDigitsOfThreeOrMore() {
        assertEquals(List.of("grad", "don", "caf", "2001"), TermVector.tokens("Grad A: Don't café, 2001! Um, OK."));
    }

    @Test
    void aWordEverySentenceHasWeighsLessThanARareOne() {
        List<TermVector> vectors = TermVector.of(List.of("Grad A: the budget is fixed.", "Grad A: yes.",
                "Grad A: right."));
        TermVector first = vectors.get(0);
        double grad = 0;
        double budget = 0;
        List<String> order = List.of("grad", "the", "budget", "fixed", "yes");
        for (int k = 0; k < first.terms().length; k++) {
            if (order.get(first.terms()[k]).equals("grad")) {
                grad = first.weights()[k];
            }
            if (order.get(first.terms()[k]).equals("budget")) {
                budget = first.weights()[k];
            }
        }
        assertTrue(budget > grad, "budget " + budget + ", grad " + grad);
    }

    @Test
    void vectorsAreUnitLengthSoSameWordsGiveCosineOneAndNoSharedWordsZero() {
        List<TermVector> vectors = TermVector.of(List.of("The ship sailed.", "the SHIP sailed", "Taxes rose.", "..."));
        assertEquals(1.0, vectors.get(0).dot(vectors.get(0)), 1e-12);
        assertEquals(1.0, vectors.get(0).dot(vectors.get(1)), 1e-12);
        assertEquals(0.0, vectors.get(0).dot(vectors.get(2)), 0);
        assertEquals(0, vectors.get(3).terms().length, "a sentence without words has an empty vector");
        assertEquals(0.0, vectors.get(3).dot(vectors.get(0)), 0);
    }
}
