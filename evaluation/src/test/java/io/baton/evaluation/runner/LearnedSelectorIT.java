package io.baton.evaluation.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import io.baton.evaluation.Arguments;
import io.baton.evaluation.Table;
import io.baton.evaluation.baselines.DocumentSentences;
import io.baton.evaluation.rouge.RougeScorer;
import io.baton.evaluation.rouge.RougeType;
import io.baton.gateway.GatewayProperties;
import io.baton.gateway.summarize.SelectionReplay;
import io.baton.gateway.summarize.SentenceFeatures;
import io.baton.gateway.summarize.SpeakerTurns;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.gateway.summarize.SummaryService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A learned selector ({@code selector.json} in a model's folder) runs where the summary runs: the
 * zoo's gemma2-tiny, copied with a selector of seeded weights, through the standalone application's
 * API picks exactly what the selector file, replayed over the pipeline's features, picks
 * ({@link SelectionReplay}), each with the file's relevance, MMR lambda and fewest words; and {@code bench/quality choose}
 * over the features {@code bench/quality features} wrote scores that summary as {@code bench/quality
 * rouge} scores the API's.
 */
class LearnedSelectorIT {

    private static final Path ZOO = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"));
    private static final String MODEL = "gemma2-tiny";
    private static final int WORDS = 300;
    private static final double LAMBDA = 0.5;

    @TempDir
    Path dir;

    /**
     * A models folder with a copy of the zoo's gemma2-tiny and a selector of seeded weights (and the
     * zoo's default model, linked); returns the selector file.
     */
    private Path modelsWithSelector() throws IOException {
        return modelsWithSelector(false);
    }

    /**
     * As {@link #modelsWithSelector()}; with {@code dialogue}, the selector has a dialogue part of
     * seeded weights (format baton-selector/2) with its own lambda and fewest words.
     */
    private Path modelsWithSelector(boolean dialogue) throws IOException {
        Path model = Files.createDirectories(dir.resolve("models").resolve(MODEL));
        try (Stream<Path> files = Files.list(ZOO.resolve(MODEL))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, model.resolve(file.getFileName()));
            }
        }
        // The standalone application's default model must be there too (linked as the zoo has it).
        String standard = GatewayProperties.Models.DEFAULT_MODEL;
        Files.createSymbolicLink(dir.resolve("models").resolve(standard), ZOO.resolve(standard).toAbsolutePath());
        Random random = new Random(17);
        Map<String, Object> selector = new LinkedHashMap<>();
        selector.put("format", "baton-selector/1");
        selector.put("model", MODEL);
        selector.put("features", List.of("zModel", "zLexical", "zLength", "position", "lnWords"));
        selector.put("mean", List.of(0, 0, 0, 0.5, 2.5));
        selector.put("sd", List.of(1, 1, 1, 0.29, 0.9));
        selector.put("weights", List.of(0.1, 0.4, 0.6, -0.3, 0.2));
        selector.put("vectorWeights", random.doubles(64, -1, 1).boxed().toList());
        selector.put("bias", -2.5);
        selector.put("center", -2.6);
        selector.put("scale", 1.1);
        selector.put("lambda", LAMBDA);
        selector.put("minWords", 6);
        if (dialogue) {
            selector.put("format", "baton-selector/2");
            selector.put("dialogue", Map.of("weights", List.of(-0.3, 0.5, 1.2, 0.4, 0.6),
                    "vectorWeights", random.doubles(64, -1, 1).boxed().toList(), "bias", 0.7,
                    "lambda", 0.8, "minWords", 9));
        }
        Path file = model.resolve("selector.json");
        Files.writeString(file, JsonMapper.builder().build().writeValueAsString(selector));
        return file;
    }

    @Test
    void theApiPicksWhatTheSelectorFilePicks() throws IOException {
        Path file = modelsWithSelector();
        EvalDocument story = EvalSet.SQUALITY.read(DataFiles.dir(), 1).get(0);
        try (InProcessGateway gateway = InProcessGateway.start(dir.resolve("models"))) {
            Compared compared = apiAsReplayed(gateway, SelectionReplay.learned(file, Double.NaN, -1, 12), story.text());
            List<SentenceFeatures> features = compared.features();
            SummaryResponse summary = compared.summary();
            int[] replayed = compared.replayed();
            // The centrality mix of the gateway's default weights would pick otherwise: the test tells them apart.
            List<SentenceFeatures> mixed = features.stream().map(f -> new SentenceFeatures(f.start(), f.end(),
                    f.words(), f.position(), f.zModel(), f.zLexical(), f.zLength(),
                    0.5 * f.zModel() + 0.5 * f.zLexical() + 0.25 * f.zLength(), f.centred())).toList();
            assertTrue(!Arrays.equals(SelectionReplay.written(0.3, 12).pick(mixed, 0, WORDS), replayed),
                    "the centrality mix picks the same sentences");
            Map<Integer, SentenceFeatures> byStart = features.stream()
                    .collect(Collectors.toMap(SentenceFeatures::start, f -> f));
            for (SummaryResponse.Sentence picked : summary.sentences()) {
                assertEquals(byStart.get((int) picked.start()).relevance(), picked.score(), 0.0, picked.text());
            }
            apiRouge2 = rouge2(story, summary.sentences().stream()
                    .map(s -> DocumentSentences.collapse(s.text())).collect(Collectors.joining("\n")));
        }
        // bench/quality features, then bench/quality choose over what it wrote: the replay scores the same summary.
        Path features = dir.resolve("features");
        new SelectorFeatures().run(Arguments.parse(new String[] {"--sets", "squality", "--limit", "1", "--model", MODEL,
                "--words", String.valueOf(WORDS), "--data", DataFiles.dir().toString(), "--out", features.toString(),
                "--models-dir", dir.resolve("models").toString()}, SelectorFeatures.OPTIONS));
        Table table = new SelectorChoice().run(Arguments.parse(new String[] {"--features", features.toString(),
                "--sets", "squality", "--selectors", file.toString(), "--written-lambda", String.valueOf(LAMBDA),
                "--data", DataFiles.dir().toString(), "--out", dir.resolve("out").toString()}, SelectorChoice.OPTIONS));
        assertEquals(2, table.rows().size(), table.markdown());
        for (List<String> row : table.rows()) {
            assertEquals("1", row.get(2), table.markdown());
            assertEquals(String.format(Locale.ROOT, "%.2f", apiRouge2), row.get(5), row.get(1));
        }
    }

    @Test
    void inAMeetingTheDialoguePartWeighsAsMuchAsItsSpeakerTurns() throws IOException {
        Path file = modelsWithSelector(true);
        EvalDocument meeting = EvalSet.QMSUM.read(DataFiles.dir(), 1).get(0);
        double share = SpeakerTurns.share(meeting.text());
        assertTrue(share >= 0.5, "the meeting's share of speaker turns is " + share);
        try (InProcessGateway gateway = InProcessGateway.start(dir.resolve("models"))) {
            SelectionReplay replay = SelectionReplay.learned(file, Double.NaN, -1, 12);
            Compared compared = apiAsReplayed(gateway, replay, meeting.text());
            // Read as a story (no speaker turns: no dialogue part, the prose lambda and fewest words), the same
            // selector picks otherwise, so the API's picks above used the part.
            assertTrue(!Arrays.equals(replay.pick(compared.features(), 0, WORDS), compared.replayed()),
                    "the dialogue part changes nothing");
        }
    }

    /** What the API picked for a text, the pipeline's features of it, and what the replay picked over them. */
    private record Compared(List<SentenceFeatures> features, SummaryResponse summary, int[] replayed) {
    }

    /**
     * {@code text} summarized through the API and replayed by {@code replay} over the pipeline's
     * features, with the text's share of speaker turns: the same picks, more than three of them.
     */
    private static Compared apiAsReplayed(InProcessGateway gateway, SelectionReplay replay, String text) {
        List<SentenceFeatures> features = SelectorFeatures.nonEmpty(gateway.bean(SummaryService.class)
                .features("learned-it", text, MODEL).block(Duration.ofMinutes(5)));
        SummaryResponse summary = new SummaryApi(gateway.baseUrl(), Duration.ofMinutes(5)).summarize(text, MODEL, WORDS);
        int[] replayed = replay.pick(features, SpeakerTurns.share(text), WORDS);
        List<Integer> starts = Arrays.stream(replayed).mapToObj(i -> features.get(i).start()).toList();
        assertEquals(starts, summary.sentences().stream().map(s -> (int) s.start()).toList());
        assertTrue(starts.size() > 3, "picks " + starts);
        return new Compared(features, summary, replayed);
    }

    private double apiRouge2;

    private static double rouge2(EvalDocument document, String summary) {
        List<String> references = document.references().stream().map(DocumentSentences::oneSentencePerLine).toList();
        return 100 * new RougeScorer(true).scoreMulti(references, summary).get(RougeType.ROUGE2).f1();
    }
}
