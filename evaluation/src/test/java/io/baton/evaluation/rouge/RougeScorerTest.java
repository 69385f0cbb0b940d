package io.baton.evaluation.rouge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Every expected value of {@code data/README.md}'s ROUGE table: rouge-score's own test
 * inputs ({@code target.txt}, {@code prediction.txt}, {@code *_multi.0.txt}), with the values
 * rouge-score's tests expect (recall / precision / F1 to 5 decimals), and its small cases.
 */
class RougeScorerTest {

    private static final double FIVE_DECIMALS = 0.5e-5;
    private static final double EXACT = 1e-12;

    private static List<String> lines(String file) throws IOException {
        return Files.readAllLines(DataFiles.path("eval/rouge/" + file), StandardCharsets.UTF_8);
    }

    private static void assertScore(double recall, double precision, double f1, Score actual, double tolerance) {
        assertEquals(recall, actual.recall(), tolerance, "recall of " + actual);
        assertEquals(precision, actual.precision(), tolerance, "precision of " + actual);
        assertEquals(f1, actual.f1(), tolerance, "F1 of " + actual);
    }

    @ParameterizedTest(name = "{0} stem={1} line {2}")
    @CsvSource({
            "ROUGE1, false, 0, 0.40741, 0.68750, 0.51163",
            "ROUGE1, false, 1, 0.40476, 0.65385, 0.50000",
            "ROUGE1, true,  0, 0.40741, 0.68750, 0.51163",
            "ROUGE1, true,  1, 0.42857, 0.69231, 0.52941",
            "ROUGE2, false, 0, 0.30769, 0.53333, 0.39024",
            "ROUGE2, false, 1, 0.29268, 0.48000, 0.36364",
            "ROUGE2, true,  0, 0.30769, 0.53333, 0.39024",
            "ROUGE2, true,  1, 0.29268, 0.48000, 0.36364",
            "ROUGEL, false, 0, 0.40741, 0.68750, 0.51163",
            "ROUGEL, false, 1, 0.40476, 0.65385, 0.50000",
    })
    void rougeScoresTestVectors(RougeType type, boolean stem, int line, double recall, double precision, double f1)
            throws IOException {
        Map<RougeType, Score> scores = new RougeScorer(stem).score(lines("target.txt").get(line),
                lines("prediction.txt").get(line));
        assertScore(recall, precision, f1, scores.get(type), FIVE_DECIMALS);
    }

    @Test
    void rougeLsumWithStemmingOverTheMultiLineFiles() throws IOException {
        String target = String.join("\n", lines("target_multi.0.txt"));
        String prediction = String.join("\n", lines("prediction_multi.0.txt"));
        assertScore(0.36538, 0.66667, 0.47205, new RougeScorer(true).score(target, prediction).get(RougeType.ROUGELSUM),
                FIVE_DECIMALS);
    }

    @Test
    void smallCases() {
        RougeScorer scorer = new RougeScorer(false);
        assertScore(1.0 / 3, 1, 0.5, scorer.score("testing one two", "testing").get(RougeType.ROUGE1), EXACT);
        assertScore(0.5, 1, 2.0 / 3, scorer.score("testing one two", "testing one").get(RougeType.ROUGE2), EXACT);
        assertScore(2.0 / 3, 1, 0.8, scorer.score("testing one two", "testing two").get(RougeType.ROUGEL), EXACT);
        assertScore(0.8, 0.4, 0.8 * 0.4 * 2 / 1.2, scorer.score("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5")
                .get(RougeType.ROUGELSUM), EXACT);
    }

    @Test
    void anEmptyPredictionScoresZeroEverywhere() {
        for (boolean stem : new boolean[] {false, true}) {
            for (String empty : new String[] {"", "  \n ", "--- ..."}) {
                new RougeScorer(stem).score("testing one two\nthree", empty)
                        .forEach((type, score) -> assertEquals(Score.ZERO, score, type + " of '" + empty + "'"));
            }
        }
    }

    @Test
    void severalReferencesTakeTheBestF1PerType() {
        RougeScorer scorer = new RougeScorer(false);
        Map<RougeType, Score> best = scorer.scoreMulti(List.of("a b c d", "x y z", "a b q r s t"), "a b c x y z");
        // rouge1: "a b c d" gives P 3/6 R 3/4; "x y z" gives P 3/6 R 1 (F 2/3, the best).
        assertScore(1, 0.5, 2.0 / 3, best.get(RougeType.ROUGE1), EXACT);
        // rouge2: "a b c d" has a b, b c (2 of 3); "x y z" has x y, y z (2 of 2): the best.
        assertScore(1, 0.4, 2 * 0.4 / 1.4, best.get(RougeType.ROUGE2), EXACT);
        assertEquals(scorer.score("x y z", "a b c x y z").get(RougeType.ROUGEL), best.get(RougeType.ROUGEL));
    }

    @Test
    void tokenizationIsRougeScoresDefault() {
        RougeTokenizer plain = new RougeTokenizer(false);
        assertEquals(List.of("don", "t", "co", "operate", "caf", "x2"), plain.tokenize("Don't CO-operate, café! X2"));
        assertEquals(List.of("the", "run", "dog", "ran"), new RougeTokenizer(true).tokenize("The running dogs ran."));
        assertEquals(List.of(), plain.tokenize("  ...  "));
    }
}
