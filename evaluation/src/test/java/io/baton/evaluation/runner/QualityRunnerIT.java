package io.baton.evaluation.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import io.baton.evaluation.Arguments;
import io.baton.evaluation.rouge.RougeType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality runner end to end on 2 documents (the first of SQuALITY dev and of QMSum val):
 * the standalone application on a free port, POST /v1/summaries over HTTP with the zoo's
 * gemma2-tiny, the three baselines, ROUGE, the tables.
 */
class QualityRunnerIT {

    @Test
    void runsBothSetsThroughTheApiAndTheBaselinesAndWritesTheTables(@TempDir Path out) throws IOException {
        Path data = DataFiles.dir();
        Map<EvalSet, Map<String, MethodScores>> results = new QualityRunner().run(Arguments.parse(new String[] {
                "--limit", "1", "--model", "gemma2-tiny", "--data", data.toString(), "--out", out.toString(),
                "--models-dir", System.getProperty("baton.zoo.dir", "../models/zoo")}, QualityRunner.OPTIONS));

        assertEquals(List.of(EvalSet.SQUALITY, EvalSet.QMSUM), List.copyOf(results.keySet()));
        // the default budgets are the sets' mean reference lengths
        Map<EvalSet, Integer> budgets = Map.of(EvalSet.SQUALITY,
                EvalSet.meanReferenceWords(EvalSet.SQUALITY.read(data, Integer.MAX_VALUE)), EvalSet.QMSUM,
                EvalSet.meanReferenceWords(EvalSet.QMSUM.read(data, Integer.MAX_VALUE)));
        assertTrue(budgets.get(EvalSet.SQUALITY) > 300 && budgets.get(EvalSet.QMSUM) < 200, budgets.toString());
        results.forEach((set, methods) -> {
            assertEquals(List.of("baton", "lead-k", "random-k", "textrank-k", "oracle"), List.copyOf(methods.keySet()));
            double oracleRouge2 = methods.get("oracle").meanF1(RougeType.ROUGE2);
            methods.forEach((method, scores) -> {
                String what = set.label() + " " + method;
                assertEquals(1, scores.documents(), what);
                // at most the budget (a single longer sentence only if nothing fits), and most of it used but by
                // the oracle, which stops when no sentence raises its ROUGE
                assertTrue(scores.meanWords() <= budgets.get(set)
                        && (method.equals("oracle") || scores.meanWords() > budgets.get(set) / 2.0),
                        what + ": " + scores.meanWords() + " words for a budget of " + budgets.get(set));
                // the oracle, which reads the references, is the ceiling
                assertTrue(scores.meanF1(RougeType.ROUGE2) <= oracleRouge2, what + " above the oracle");
                for (RougeType type : RougeType.values()) {
                    double f1 = scores.meanF1(type);
                    assertTrue(f1 >= 0 && f1 < 100, what + " " + type + " = " + f1);
                }
                // any summary of this length shares words with the reference; bigrams it may not
                // (TextRank on QMSum picks back-channel turns: "Professor C: OK .")
                assertTrue(scores.meanF1(RougeType.ROUGE1) > 0 && scores.meanF1(RougeType.ROUGELSUM) > 0, what);
                assertTrue(scores.meanF1(RougeType.ROUGE2) < scores.meanF1(RougeType.ROUGE1), what);
            });
        });
        List<String> csv = Files.readAllLines(out.resolve("quality-rouge.csv"), StandardCharsets.UTF_8);
        assertEquals(1 + 10, csv.size());
        assertEquals("set,method,documents,word budget,mean words,ROUGE-1,ROUGE-2,ROUGE-L,ROUGE-Lsum", csv.get(0));
        assertTrue(Files.readString(out.resolve("quality-rouge.md")).contains("| qmsum | textrank-k | 1 |"));
    }

    @Test
    void anAbstractiveRunScoresTheGeneratedSummaryInPlaceOfTheExtractiveOne(@TempDir Path out) throws IOException {
        Path data = DataFiles.dir();
        int words = 60;
        Map<EvalSet, Map<String, MethodScores>> results = new QualityRunner().run(Arguments.parse(new String[] {
                "--limit", "1", "--sets", "squality", "--mode", "abstractive", "--words", String.valueOf(words),
                "--model", "gemma2-tiny", "--data", data.toString(), "--out", out.toString(),
                "--models-dir", System.getProperty("baton.zoo.dir", "../models/zoo")}, QualityRunner.OPTIONS));

        Map<String, MethodScores> methods = results.get(EvalSet.SQUALITY);
        assertEquals(List.of("baton (abstractive)", "lead-k", "random-k", "textrank-k", "oracle"),
                List.copyOf(methods.keySet()));
        MethodScores generated = methods.get("baton (abstractive)");
        assertEquals(1, generated.documents());
        // gemma2-tiny's weights are random: some words come out, at most the budget; what they score says nothing
        assertTrue(generated.meanWords() > 0 && generated.meanWords() <= words, generated.meanWords() + " words");
        assertTrue(Files.readString(out.resolve("quality-rouge.md")).contains("| squality | baton (abstractive) | 1 |"));
    }
}
