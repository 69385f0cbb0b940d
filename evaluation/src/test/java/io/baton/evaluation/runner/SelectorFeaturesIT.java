package io.baton.evaluation.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import io.baton.evaluation.Arguments;
import io.baton.evaluation.baselines.DocumentSentences;
import io.baton.evaluation.baselines.GreedyOracle;
import io.baton.gateway.summarize.SentenceFeatures;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.gateway.summarize.SummaryService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A selector's features are what selection computes: the summary pipeline's features of a
 * SQuALITY story, with the zoo's gemma2-tiny in the standalone application, carry for every
 * sentence the API picks exactly the score the API answers for it; and the files that
 * {@code bench/quality features} writes hold every sentence, its oracle label and its vector.
 */
class SelectorFeaturesIT {

    private static final Path MODELS = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));

    @Test
    void theFeaturesAreWhatSelectionPicksBy() {
        EvalDocument story = EvalSet.SQUALITY.read(DataFiles.dir(), 1).get(0);
        try (InProcessGateway gateway = InProcessGateway.start(MODELS)) {
            List<SentenceFeatures> all = gateway.bean(SummaryService.class)
                    .features("features-it", story.text(), "gemma2-tiny").block(Duration.ofMinutes(5));
            List<SentenceFeatures> features = SelectorFeatures.nonEmpty(all);
            List<DocumentSentences.Sentence> sentences = SelectorFeatures.aligned(story, features);
            assertEquals(sentences.size(), features.size());
            SummaryResponse summary = new SummaryApi(gateway.baseUrl(), Duration.ofMinutes(5))
                    .summarize(story.text(), "gemma2-tiny", 300);
            Map<Integer, SentenceFeatures> byStart = features.stream()
                    .collect(Collectors.toMap(SentenceFeatures::start, Function.identity()));
            assertTrue(summary.sentences().size() > 3, "picks: " + summary.sentences().size());
            for (SummaryResponse.Sentence picked : summary.sentences()) {
                SentenceFeatures f = byStart.get((int) picked.start());
                assertEquals(picked.end(), f.end(), picked.text());
                assertEquals(picked.score(), f.relevance(), 0.0, picked.text());
            }
            double meanZModel = all.stream().mapToDouble(SentenceFeatures::zModel).average().orElseThrow();
            assertEquals(0, meanZModel, 1e-9);
            for (SentenceFeatures f : features) {
                double norm = Math.sqrt(java.util.Arrays.stream(f.centred()).map(v -> v * v).sum());
                assertEquals(1, norm, 1e-9);
            }
        }
    }

    @Test
    void theFilesHoldEverySentenceItsLabelAndItsVector(@TempDir Path out) throws IOException {
        new SelectorFeatures().run(Arguments.parse(new String[] {"--sets", "qmsum", "--limit", "1", "--model",
                "gemma2-tiny", "--data", DataFiles.dir().toString(), "--out", out.toString(), "--models-dir",
                MODELS.toString()}, SelectorFeatures.OPTIONS));
        List<String> lines = Files.readAllLines(out.resolve("selector-features-qmsum.jsonl"), StandardCharsets.UTF_8);
        assertEquals(1, lines.size());
        JsonNode row = JsonMapper.builder().build().readTree(lines.get(0));
        EvalDocument meeting = EvalSet.QMSUM.read(DataFiles.dir(), 1).get(0);
        List<DocumentSentences.Sentence> sentences = DocumentSentences.of(meeting.text());
        JsonNode rows = row.get("sentences");
        assertEquals(sentences.size(), rows.size());
        int words = row.get("words").asInt();
        List<Integer> oracle = new GreedyOracle().pick(sentences, meeting.references(), words).stream()
                .map(DocumentSentences.Sentence::index).toList();
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(oracle.contains(i) ? 1 : 0, rows.get(i).get("oracle").asInt(), "sentence " + i);
            assertEquals(sentences.get(i).words(), rows.get(i).get("words").asInt(), "sentence " + i);
        }
        int dimension = row.get("dimension").asInt();
        assertTrue(dimension > 0);
        ByteBuffer vectors = ByteBuffer.wrap(Files.readAllBytes(out.resolve("selector-vectors-qmsum.f32")))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((long) rows.size() * dimension * 4, vectors.capacity());
        double norm = 0;
        for (int d = 0; d < dimension; d++) {
            float v = vectors.getFloat(4 * d);
            norm += v * v;
        }
        assertEquals(1, Math.sqrt(norm), 1e-5);
    }
}
