package io.baton.gateway.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code selector.json} and scoring by it; a file that is not a selector fails naming what is wrong. */
class LearnedRelevanceTest {

    private static final String VALID = """
            {"format": "baton-selector/1", "model": "m",
             "features": ["zModel", "zLexical", "zLength", "position", "lnWords"],
             "mean": [0, 0, 0, 0.5, 2], "sd": [1, 1, 1, 0.25, 0.5], "weights": [1, 2, 0, -1, 0.5],
             "vectorWeights": [3, -3], "bias": 0.25, "center": 0.5, "scale": 2, "lambda": 0.6}
            """;

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve(LearnedRelevance.FILE_NAME), json);
    }

    @Test
    void scoresByItsFormula() throws IOException {
        write(VALID);
        LearnedRelevance learned = LearnedRelevance.load(dir);
        assertEquals(0.6, learned.lambda());
        assertEquals(12, learned.minWords(12), "without minWords, the setting's");
        write(VALID.replace("\"lambda\": 0.6", "\"lambda\": 0.6, \"minWords\": 5"));
        assertEquals(5, LearnedRelevance.load(dir).minWords(12), "its own");
        // logit = 0.25 + 1*0.5 + 2*(-1) + 0*7 + (-1)*(0.75-0.5)/0.25 + 0.5*(ln 20 - 2)/0.5 + 3*0.6 - 3*0.8
        double logit = 0.25 + 0.5 - 2 - 1 + (Math.log(20) - 2) + 1.8 - 2.4;
        assertEquals((logit - 0.5) / 2, learned.relevance(0.5, -1, 7, 0.75, 20, new double[] {0.6, 0.8}), 1e-12);
    }

    @Test
    void aDialoguePartAddsAsMuchAsTheDocumentsSpeakerTurns() throws IOException {
        write(VALID.replace("baton-selector/1", "baton-selector/2").replace("\"lambda\": 0.6", """
                "lambda": 0.6, "minWords": 5, "dialogue": {"weights": [0.5, -1, 2, 0, 1], "vectorWeights": [-1, 1],
                 "bias": -0.5, "lambda": 0.9, "minWords": 11}"""));
        LearnedRelevance learned = LearnedRelevance.load(dir);
        double[] centred = {0.6, 0.8};
        for (double share : new double[] {0, 0.3, 0.5, 1}) {
            LearnedRelevance document = learned.at(share);
            // The part's terms, share times: 0.5*0.5 + (-1)*(-1) + 2*7 + 0*(...) + 1*(ln 20 - 2)/0.5 - 0.6 + 0.8 - 0.5
            double part = 0.25 + 1 + 14 + 2 * (Math.log(20) - 2) - 0.6 + 0.8 - 0.5;
            assertEquals(learned.relevance(0.5, -1, 7, 0.75, 20, centred) + share * part / 2,
                    document.relevance(0.5, -1, 7, 0.75, 20, centred), 1e-12, "share " + share);
            assertEquals(share >= 0.5 ? 0.9 : 0.6, document.lambda(), "share " + share);
            assertEquals(share >= 0.5 ? 11 : 5, document.minWords(12), "share " + share);
        }
        assertNull(learned.at(1).dialogue(), "a document's scorer has no part left to add");
        write(VALID);
        assertEquals(LearnedRelevance.load(dir).relevance(0.5, -1, 7, 0.75, 20, centred),
                LearnedRelevance.load(dir).at(1).relevance(0.5, -1, 7, 0.75, 20, centred), "without a part, the same");
    }

    @Test
    void aModelFolderWithoutOneHasNone() {
        assertNull(LearnedRelevance.load(dir));
    }

    @Test
    void vectorsOfAnotherSizeAreRefused() throws IOException {
        write(VALID);
        assertThatThrownBy(() -> LearnedRelevance.load(dir).relevance(0, 0, 0, 0, 5, new double[3]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("3 components")
                .hasMessageContaining("fitted on 2");
    }

    @Test
    void aFileThatIsNotASelectorFailsSayingWhy() throws IOException {
        for (String[] bad : new String[][] {
                {VALID.replace("baton-selector/1", "other/2"), "format is not 'baton-selector/2' or 'baton-selector/1'"},
                {VALID.replace("baton-selector/1", "baton-selector/2").replace("\"lambda\": 0.6", "\"lambda\": 0.6,"
                        + " \"dialogue\": {\"weights\": [1], \"vectorWeights\": [0, 0], \"bias\": 0, \"lambda\": 0.5}"),
                        "one weight per feature"},
                {VALID.replace("baton-selector/1", "baton-selector/2").replace("\"lambda\": 0.6", "\"lambda\": 0.6,"
                        + " \"dialogue\": {\"weights\": [0, 0, 0, 0, 0], \"vectorWeights\": [0, 0], \"bias\": 0}"),
                        "'lambda' is not a number"},
                {VALID.replace("\"lnWords\"", "\"words\""), "features are"},
                {VALID.replace("\"sd\": [1, 1, 1, 0.25, 0.5]", "\"sd\": [1, 1, 0, 0.25, 0.5]"), "sd must be positive"},
                {VALID.replace("\"bias\": 0.25", "\"bias\": \"high\""), "'bias' is not a number"},
                {VALID.replace("\"weights\": [1, 2, 0, -1, 0.5]", "\"weights\": [1, 2]"), "one value per feature"},
                {VALID.replace("\"lambda\": 0.6", "\"lambda\": 1.5"), "lambda"},
                {VALID.replace("\"lambda\": 0.6", "\"lambda\": 0.6, \"minWords\": -4"), "minWords"},
                {"{not json", "is not valid"}}) {
            Path file = write(bad[0]);
            assertThatThrownBy(() -> LearnedRelevance.load(dir)).as(bad[1])
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining(bad[1]);
        }
    }

    @Test
    void theSettingChoosesBetweenLearnedAndCentrality() throws IOException {
        Path model = Files.createDirectories(dir.resolve("with"));
        Files.writeString(model.resolve(LearnedRelevance.FILE_NAME), VALID);
        Files.createDirectories(dir.resolve("without"));
        assertThat(new LearnedSelectors(dir, "auto").of("with")).isNotNull();
        assertThat(new LearnedSelectors(dir, "auto").of("without")).isNull();
        assertThat(new LearnedSelectors(dir, "centrality").of("with")).isNull();
        assertThat(new LearnedSelectors(dir, "learned").of("with")).isNotNull();
        assertThatThrownBy(() -> new LearnedSelectors(dir, "learned").of("without"))
                .isInstanceOf(io.baton.gateway.InvalidRequestException.class)
                .hasMessageContaining("model 'without' has no learned selector");
    }
}
