package io.baton.gateway.summarize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A learned sentence scorer (issue 17, docs/quality.md#the-learned-selector): a logistic
 * regression, fitted by {@code bench/selector_fit.py} on the greedy ROUGE oracle's picks, over
 * what selection knows of a sentence ({@link SentenceFeatures}): its three standard scores, its
 * position (first character over the document's length), the log of its words, and its centred
 * unit model vector. Its relevance is the regression's log-odds, shifted and scaled by the mean
 * and standard deviation of the log-odds over the training sentences, so that MMR's {@code lambda}
 * weighs it against similarity on the scale it weighs the centrality mix on:
 * <pre>
 *   relevance = (sum_k w_k (x_k - mean_k) / sd_k + v . centred + bias - center) / scale
 * </pre>
 * It belongs to one model (its vectors' space): the file {@value #FILE_NAME} in the model's folder,
 * beside its tokenizer. It carries the MMR {@code lambda} it was chosen with, and may carry the
 * {@code minWords} too (the fewest words of a sentence picked while longer ones are left).
 *
 * <p>Format {@value #FORMAT} may add a {@link Dialogue} part: what a transcript changes. A document's
 * share of lines that open with a speaker label ({@link SpeakerTurns}), {@code s} in [0, 1], adds
 * {@code s} times the part's weights, vector weights and bias to the ones above (interaction terms
 * of one regression), and a document that is mostly turns ({@code s >= 0.5}) is selected with the
 * part's {@code lambda} and {@code minWords}. {@link #at} gives the scorer of one document. Format
 * {@value #FORMAT_1} (no such part) is read as before.
 *
 * @param model         the model whose sentence vectors it was fitted on
 * @param mean          per scalar feature ({@link #SCALARS}), its mean over the training sentences
 * @param sd            per scalar feature, its standard deviation there
 * @param weights       per scalar feature, its weight on the standardised value
 * @param vectorWeights per component of the centred unit model vector, its weight (none: the
 *                      vector is not a feature)
 * @param bias          the regression's intercept
 * @param center        the mean of the log-odds over the training sentences
 * @param scale         their standard deviation
 * @param lambda        MMR's trade-off chosen with these weights (1 = relevance only)
 * @param minWords      the fewest words of a sentence picked while longer ones are left, chosen with
 *                      these weights; -1: the setting {@code baton.summaries.min-words}
 * @param dialogue      what a transcript changes; null: nothing (the scorer of one document, or a
 *                      selector fitted without it)
 */
record LearnedRelevance(String model, double[] mean, double[] sd, double[] weights, double[] vectorWeights,
                        double bias, double center, double scale, double lambda, int minWords, Dialogue dialogue) {

    /** The file in a model's folder. */
    static final String FILE_NAME = "selector.json";
    /** The format this reads and writes. */
    static final String FORMAT = "baton-selector/2";
    /** The first format, without a {@link Dialogue} part; still read. */
    static final String FORMAT_1 = "baton-selector/1";
    /** The speaker-label share from which a document is selected with the dialogue part's lambda and minWords. */
    static final double DIALOGUE = 0.5;

    /**
     * What a transcript adds to the scorer, times the document's speaker-label share, and how a
     * document that is mostly turns is selected.
     *
     * @param weights       per scalar feature, added to its weight
     * @param vectorWeights per component of the centred vector, added to its weight
     * @param bias          added to the intercept
     * @param lambda        MMR's trade-off for a document that is mostly turns
     * @param minWords      the fewest words of a sentence picked there while longer ones are left;
     *                      -1: the setting
     */
    record Dialogue(double[] weights, double[] vectorWeights, double bias, double lambda, int minWords) {

        Dialogue {
            requireSelection(lambda, minWords, "the dialogue part");
        }
    }
    /** The scalar features, in the order of {@link #mean}, {@link #sd} and {@link #weights}. */
    static final List<String> SCALARS = List.of("zModel", "zLexical", "zLength", "position", "lnWords");

    LearnedRelevance {
        int k = SCALARS.size();
        if (mean.length != k || sd.length != k || weights.length != k) {
            throw new IllegalArgumentException("mean, sd and weights need one value per feature " + SCALARS);
        }
        for (double s : sd) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("every feature's sd must be positive");
            }
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale > 0 is required");
        }
        requireSelection(lambda, minWords, "the selector");
        if (dialogue != null && (dialogue.weights().length != k || dialogue.vectorWeights().length != vectorWeights.length)) {
            throw new IllegalArgumentException("the dialogue part needs one weight per feature " + SCALARS
                    + " and as many vector weights as the selector (" + vectorWeights.length + ")");
        }
    }

    /** MMR's {@code lambda} in [0, 1] and {@code minWords} at least 0, or -1 (the setting). */
    private static void requireSelection(double lambda, int minWords, String what) {
        if (!(lambda >= 0 && lambda <= 1) || minWords < -1) {
            throw new IllegalArgumentException(what + " needs 0 <= lambda <= 1 and minWords >= 0 (when given)");
        }
    }

    /**
     * The scorer of document {@code text}: {@link #at} its share of speaker turns, which is read
     * only where there is a dialogue part to weigh.
     */
    LearnedRelevance of(CharSequence text) {
        return dialogue == null ? this : at(SpeakerTurns.share(text));
    }

    /**
     * The scorer of a document whose share of lines that open with a speaker label is {@code share}
     * ({@link SpeakerTurns#share}): the dialogue part added {@code share} times, and the lambda and
     * minWords of its kind. Without a dialogue part, this one.
     */
    LearnedRelevance at(double share) {
        if (dialogue == null) {
            return this;
        }
        boolean turns = share >= DIALOGUE;
        return new LearnedRelevance(model, mean, sd, plus(weights, share, dialogue.weights()),
                plus(vectorWeights, share, dialogue.vectorWeights()), bias + share * dialogue.bias(), center, scale,
                turns ? dialogue.lambda() : lambda, turns ? dialogue.minWords() : minWords, null);
    }

    private static double[] plus(double[] a, double times, double[] b) {
        double[] sum = a.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += times * b[i];
        }
        return sum;
    }

    /** The fewest words of a sentence picked while longer ones are left: its own, else {@code setting}. */
    int minWords(int setting) {
        return minWords >= 0 ? minWords : setting;
    }

    /** The relevance of a sentence with these features. */
    double relevance(double zModel, double zLexical, double zLength, double position, int words, double[] centred) {
        if (vectorWeights.length > 0 && centred.length != vectorWeights.length) {
            throw new IllegalStateException("the model's sentence vectors have " + centred.length
                    + " components; the learned selector of '" + model + "' was fitted on " + vectorWeights.length);
        }
        double[] x = {zModel, zLexical, zLength, position, Math.log(Math.max(1, words))};
        double logit = bias;
        for (int k = 0; k < x.length; k++) {
            logit += weights[k] * (x[k] - mean[k]) / sd[k];
        }
        if (vectorWeights.length > 0) {
            logit += MmrSelector.dot(vectorWeights, centred);
        }
        return (logit - center) / scale;
    }

    /**
     * The selector in model folder {@code dir}, or null when it has none.
     *
     * @throws IllegalStateException when the file is there but is not a selector this reads
     */
    static LearnedRelevance load(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        return Files.isRegularFile(file) ? read(file) : null;
    }

    /**
     * The selector in {@code file}.
     *
     * @throws IllegalStateException when it is not a selector this reads
     */
    static LearnedRelevance read(Path file) {
        try {
            JsonNode json = JsonMapper.builder().build().readTree(Files.readString(file));
            String format = json.path("format").asString("");
            if (!FORMAT.equals(format) && !FORMAT_1.equals(format)) {
                throw new IllegalArgumentException("format is not '" + FORMAT + "' or '" + FORMAT_1 + "'");
            }
            List<String> features = json.path("features").valueStream().map(JsonNode::asString).toList();
            if (!SCALARS.equals(features)) {
                throw new IllegalArgumentException("features are " + features + ", not " + SCALARS);
            }
            return new LearnedRelevance(json.path("model").asString(""), doubles(json, "mean"), doubles(json, "sd"),
                    doubles(json, "weights"), doubles(json, "vectorWeights"), number(json, "bias"),
                    number(json, "center"), number(json, "scale"), number(json, "lambda"),
                    json.has("minWords") ? (int) number(json, "minWords") : -1,
                    FORMAT.equals(format) && json.has("dialogue") ? dialogue(json.path("dialogue")) : null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the learned selector " + file, e);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IllegalStateException("the learned selector " + file + " is not valid: " + e.getMessage(), e);
        }
    }

    private static Dialogue dialogue(JsonNode json) {
        return new Dialogue(doubles(json, "weights"), doubles(json, "vectorWeights"), number(json, "bias"),
                number(json, "lambda"), json.has("minWords") ? (int) number(json, "minWords") : -1);
    }

    private static double[] doubles(JsonNode json, String field) {
        JsonNode array = json.path(field);
        if (!array.isArray()) {
            throw new IllegalArgumentException("'" + field + "' is not an array of numbers");
        }
        return array.valueStream().mapToDouble(v -> {
            if (!v.isNumber()) {
                throw new IllegalArgumentException("'" + field + "' holds a value that is not a number");
            }
            return v.asDouble();
        }).toArray();
    }

    private static double number(JsonNode json, String field) {
        JsonNode value = json.path(field);
        if (!value.isNumber()) {
            throw new IllegalArgumentException("'" + field + "' is not a number");
        }
        return value.asDouble();
    }
}
