package io.baton.evaluation.runner;

import io.baton.evaluation.Arguments;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.EvaluationException;
import io.baton.evaluation.Table;
import io.baton.evaluation.baselines.DocumentSentences;
import io.baton.evaluation.rouge.RougeScorer;
import io.baton.evaluation.rouge.RougeType;
import io.baton.gateway.summarize.SelectionReplay;
import io.baton.gateway.summarize.SentenceFeatures;
import io.baton.gateway.summarize.SpeakerTurns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code bench/quality choose [options]}: compares sentence selectors on the sets kept for choosing
 * (issue 17) without running the model again. Reads what {@code bench/quality features} wrote for
 * each set ({@code selector-features-<set>.jsonl} and {@code selector-vectors-<set>.f32}), replays
 * selection over it ({@link SelectionReplay}: the pool's relevance, eligibility and MMR at each
 * document's word budget) with each learned selector file and MMR trade-off asked for, and scores
 * the picks as {@code bench/quality rouge} scores the API's (same references, same ROUGE). The
 * {@code written} rows replay the relevance the features were written with (the gateway's setting
 * then, {@code --written-lambda}): on a set whose documents the pool held whole they equal the
 * API's ROUGE, which checks the replay.
 *
 * <p>Options: {@code --features DIR} (default {@code bench/out/features}), {@code --sets} (default
 * {@code squality,qmsum}), {@code --selectors F1,F2} (selector.json files), {@code --lambdas}
 * (default {@code file}: each file's own; or numbers, e.g. {@code 0.3,0.5,0.7,1}), {@code
 * --written-lambda} (default 0.3, the gateway's), {@code --min-words} (default: a selector file's
 * own where it has one, else 12, the gateway's),
 * {@code --data DIR}, {@code --out DIR} (default {@code bench/out}).
 */
public final class SelectorChoice {

    static final Set<String> OPTIONS = Set.of("features", "sets", "selectors", "lambdas", "written-lambda",
            "min-words", "data", "out");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The default of {@code baton.summaries.min-words}. */
    private static final int GATEWAY_MIN_WORDS = 12;

    private final RougeScorer rouge = new RougeScorer(true);

    public static void main(String[] args) {
        Arguments.run("choose", args, OPTIONS, arguments -> new SelectorChoice().run(arguments));
    }

    /** A document's features as written, with its word budget. */
    record Written(String id, int words, List<SentenceFeatures> features) {
    }

    Table run(Arguments args) {
        Path data = Path.of(args.string("data", DataDir.dir().toString()));
        Path features = Path.of(args.string("features", "bench/out/features"));
        int minWords = Integer.parseInt(args.string("min-words", "-1"));
        Map<String, SelectionReplay> replays = new LinkedHashMap<>();
        double writtenLambda = Double.parseDouble(args.string("written-lambda", "0.3"));
        replays.put("written, lambda " + writtenLambda, SelectionReplay.written(writtenLambda,
                minWords >= 0 ? minWords : GATEWAY_MIN_WORDS));
        String selectors = args.string("selectors", "");
        for (String file : selectors.isBlank() ? new String[0] : selectors.split(",")) {
            for (String lambda : args.string("lambdas", "file").split(",")) {
                double value = "file".equals(lambda) ? Double.NaN : Double.parseDouble(lambda);
                replays.put(Path.of(file).getFileName() + ", lambda " + lambda,
                        SelectionReplay.learned(Path.of(file), value, minWords, GATEWAY_MIN_WORDS));
            }
        }
        Table table = new Table("set", "selection", "documents", "mean words", "ROUGE-1", "ROUGE-2", "ROUGE-L",
                "ROUGE-Lsum");
        for (String name : args.string("sets", "squality,qmsum").split(",")) {
            EvalSet set = EvalSet.named(name);
            List<Written> written = read(features, set.label());
            Map<String, EvalDocument> documents = set.read(data, Integer.MAX_VALUE).stream()
                    .collect(Collectors.toMap(EvalDocument::id, Function.identity()));
            replays.forEach((label, replay) -> {
                MethodScores scores = new MethodScores();
                for (Written w : written) {
                    EvalDocument document = documents.get(w.id());
                    if (document == null) {
                        throw new EvaluationException("mismatch", set.label() + " has no document " + w.id());
                    }
                    List<DocumentSentences.Sentence> sentences = DocumentSentences.of(document.text());
                    if (sentences.size() != w.features().size()) {
                        throw new EvaluationException("mismatch", "document " + w.id() + ": " + sentences.size()
                                + " sentences, but " + w.features().size() + " features were written");
                    }
                    int[] picks = replay.pick(w.features(), SpeakerTurns.share(document.text()), w.words());
                    String summary = Arrays.stream(picks)
                            .mapToObj(i -> DocumentSentences.collapse(sentences.get(i).text()))
                            .collect(Collectors.joining("\n"));
                    List<String> references = document.references().stream()
                            .map(DocumentSentences::oneSentencePerLine).toList();
                    scores.add(rouge.scoreMulti(references, summary), DocumentSentences.words(summary));
                }
                table.row(set.label(), label, scores.documents(), f(scores.meanWords(), 1),
                        f(scores.meanF1(RougeType.ROUGE1), 2), f(scores.meanF1(RougeType.ROUGE2), 2),
                        f(scores.meanF1(RougeType.ROUGEL), 2), f(scores.meanF1(RougeType.ROUGELSUM), 2));
                System.err.printf(Locale.ROOT, "choose: %s, %s: ROUGE-2 %.2f%n", set.label(), label,
                        scores.meanF1(RougeType.ROUGE2));
            });
        }
        System.out.print(table.markdown());
        table.write(Path.of(args.string("out", "bench/out")), "quality-choose", "Selection replayed over the"
                + " written sentence features (bench/quality choose); ROUGE F1 x 100 as bench/quality rouge.");
        return table;
    }

    /** Every document's features of set {@code label}, as {@code bench/quality features} wrote them. */
    static List<Written> read(Path dir, String label) {
        Path jsonl = dir.resolve("selector-features-" + label + ".jsonl");
        Path vectors = dir.resolve("selector-vectors-" + label + ".f32");
        try {
            ByteBuffer floats = ByteBuffer.wrap(Files.readAllBytes(vectors)).order(ByteOrder.LITTLE_ENDIAN);
            List<Written> documents = new ArrayList<>();
            for (String line : Files.readAllLines(jsonl)) {
                JsonNode document = JSON.readTree(line);
                int dimension = document.path("dimension").asInt();
                floats.position(4 * dimension * document.path("vectorRow").asInt());
                List<SentenceFeatures> features = new ArrayList<>();
                for (JsonNode s : document.path("sentences")) {
                    double[] centred = new double[dimension];
                    for (int d = 0; d < dimension; d++) {
                        centred[d] = floats.getFloat();
                    }
                    features.add(new SentenceFeatures(0, 0, s.path("words").asInt(), s.path("position").asDouble(),
                            s.path("zModel").asDouble(), s.path("zLexical").asDouble(), s.path("zLength").asDouble(),
                            s.path("relevance").asDouble(), centred));
                }
                documents.add(new Written(document.path("id").asString(), document.path("words").asInt(), features));
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jsonl + " or " + vectors
                    + " (bench/quality features writes them)", e);
        }
    }

    private static String f(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
