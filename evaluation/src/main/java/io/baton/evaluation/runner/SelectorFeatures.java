package io.baton.evaluation.runner;

import io.baton.evaluation.Arguments;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.EvaluationException;
import io.baton.evaluation.Table;
import io.baton.evaluation.baselines.DocumentSentences;
import io.baton.evaluation.baselines.GreedyOracle;
import io.baton.gateway.summarize.SentenceFeatures;
import io.baton.gateway.summarize.SpeakerTurns;
import io.baton.gateway.summarize.SummaryService;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code bench/quality features [options]}: what a learned sentence selector would be trained on
 * (issue 17). Each document runs through the summary pipeline of the standalone application started
 * in this JVM ({@link SummaryService#features}: the model's sentence vectors, the same numbers
 * selection computes), and each sentence gets the {@link GreedyOracle}'s label at the set's word
 * budget. Writes per set {@code <out>/selector-features-<set>.jsonl}, one JSON line per document
 * ({@code id}, {@code words} the budget, {@code dimension}, {@code vectorRow} its first row in the
 * vector file, and per sentence {@code words}, {@code position} (its first character over the
 * document's length), {@code zModel}, {@code zLexical}, {@code zLength}, {@code relevance} and
 * {@code oracle} 0 or 1), and {@code <out>/selector-vectors-<set>.f32}, each sentence's centred unit
 * model vector as {@code dimension} little-endian float32s, a row per sentence in file order.
 * Prints per set how well each single feature ranks the oracle's picks above the rest (ROC AUC),
 * today's relevance among them: the number a learned scorer has to beat.
 *
 * <p>Options: {@code --sets} (default {@code squality-train,qmsum-train}; the training sets are in
 * the shared data folder: {@code --data DIR}), {@code --model M} (default the gateway's), {@code
 * --words N}, {@code --limit N} documents per set, {@code --models-dir DIR} (default {@code
 * models/zoo}), {@code --out DIR} (default {@code bench/out}).
 */
public final class SelectorFeatures {

    static final Set<String> OPTIONS = Set.of("sets", "model", "words", "limit", "data", "models-dir", "out");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TENANT = "quality";

    private final GreedyOracle oracle = new GreedyOracle();

    public static void main(String[] args) {
        Arguments.run("features", args, OPTIONS, arguments -> new SelectorFeatures().run(arguments));
    }

    /** One sentence's features and label, as written. */
    record Row(SentenceFeatures features, double position, boolean picked) {
    }

    /** Writes the files; returns the printed table. */
    Table run(Arguments args) {
        Path data = Path.of(args.string("data", DataDir.dir().toString()));
        Path out = Path.of(args.string("out", "bench/out"));
        String model = args.string("model", null);
        int limit = args.positive("limit", Integer.MAX_VALUE);
        Table table = new Table("set", "documents", "sentences", "oracle picks", "dimension", "AUC relevance",
                "AUC zModel", "AUC zLexical", "AUC zLength", "AUC lead (-position)");
        System.err.println("features: starting the standalone application in this JVM...");
        try (InProcessGateway gateway = InProcessGateway.start(Path.of(args.string("models-dir", "models/zoo")))) {
            SummaryService summaries = gateway.bean(SummaryService.class);
            for (String name : args.string("sets", "squality-train,qmsum-train").split(",")) {
                EvalSet set = EvalSet.named(name);
                List<EvalDocument> all = set.read(data, Integer.MAX_VALUE);
                int words = args.positive("words", EvalSet.meanReferenceWords(all));
                List<EvalDocument> documents = all.subList(0, Math.min(limit, all.size()));
                List<Row> rows = write(set, documents, words, summaries, model, out);
                int dimension = rows.isEmpty() ? 0 : rows.get(0).features().centred().length;
                table.row(set.label(), documents.size(), rows.size(), rows.stream().filter(Row::picked).count(),
                        dimension, auc(rows, r -> r.features().relevance()), auc(rows, r -> r.features().zModel()),
                        auc(rows, r -> r.features().zLexical()), auc(rows, r -> r.features().zLength()),
                        auc(rows, r -> -r.position()));
            }
        }
        System.out.print(table.markdown());
        return table;
    }

    private List<Row> write(EvalSet set, List<EvalDocument> documents, int words, SummaryService summaries,
                            String model, Path out) {
        Path jsonl = out.resolve("selector-features-" + set.label() + ".jsonl");
        Path vectors = out.resolve("selector-vectors-" + set.label() + ".f32");
        List<Row> all = new ArrayList<>();
        try {
            Files.createDirectories(out);
            try (Writer writer = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
                 OutputStream floats = new BufferedOutputStream(Files.newOutputStream(vectors))) {
                int n = 0;
                for (EvalDocument document : documents) {
                    long started = System.nanoTime();
                    List<SentenceFeatures> features = nonEmpty(summaries.features(TENANT, document.text(), model)
                            .block(Duration.ofMinutes(30)));
                    List<DocumentSentences.Sentence> sentences = aligned(document, features);
                    Set<Integer> picked = new HashSet<>();
                    oracle.pick(sentences, document.references(), words).forEach(s -> picked.add(s.index()));
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (int i = 0; i < features.size(); i++) {
                        SentenceFeatures f = features.get(i);
                        Row row = new Row(f, f.position(), picked.contains(i));
                        all.add(row);
                        Map<String, Object> json = new LinkedHashMap<>();
                        json.put("words", f.words());
                        json.put("position", row.position());
                        json.put("zModel", f.zModel());
                        json.put("zLexical", f.zLexical());
                        json.put("zLength", f.zLength());
                        json.put("relevance", f.relevance());
                        json.put("oracle", row.picked() ? 1 : 0);
                        rows.add(json);
                        ByteBuffer buffer = ByteBuffer.allocate(4 * f.centred().length).order(ByteOrder.LITTLE_ENDIAN);
                        for (double v : f.centred()) {
                            buffer.putFloat((float) v);
                        }
                        floats.write(buffer.array());
                    }
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("id", document.id());
                    line.put("words", words);
                    line.put("dialogue", SpeakerTurns.share(document.text()));
                    line.put("dimension", features.isEmpty() ? 0 : features.get(0).centred().length);
                    line.put("vectorRow", all.size() - features.size());
                    line.put("sentences", rows);
                    writer.write(JSON.writeValueAsString(line));
                    writer.write('\n');
                    System.err.printf(Locale.ROOT, "features: %s %d/%d %s: %,d sentences, %d oracle picks, %.1f s%n",
                            set.label(), ++n, documents.size(), document.id(), features.size(), picked.size(),
                            (System.nanoTime() - started) / 1e9);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jsonl + " or " + vectors, e);
        }
        System.err.println("features: wrote " + jsonl + " and " + vectors);
        return all;
    }

    /**
     * The features of sentences with characters: a sentence of whitespace alone (the pipeline's
     * sentences keep them; the picker never returns one) is none of the document's sentences as
     * {@link DocumentSentences} gives them, though it counted in the standard scores as it does
     * when selection picks.
     */
    static List<SentenceFeatures> nonEmpty(List<SentenceFeatures> features) {
        return features.stream().filter(f -> f.end() > f.start()).toList();
    }

    /** The document's sentences as the oracle sees them, checked to be the ones the features describe. */
    static List<DocumentSentences.Sentence> aligned(EvalDocument document, List<SentenceFeatures> features) {
        List<DocumentSentences.Sentence> sentences = DocumentSentences.of(document.text());
        List<String> described = features.stream().map(f -> document.text().substring(f.start(), f.end())).toList();
        if (!described.equals(sentences.stream().map(DocumentSentences.Sentence::text).toList())) {
            throw new EvaluationException("mismatch", "document " + document.id() + ": the summary pipeline's "
                    + described.size() + " sentences are not the splitter's " + sentences.size());
        }
        return sentences;
    }

    /**
     * The probability that a random oracle pick scores above a random other sentence by
     * {@code score} (ties count half): the Mann-Whitney statistic over all rows, as a string.
     */
    static String auc(List<Row> rows, ToDoubleFunction<Row> score) {
        double[][] ranked = rows.stream().map(r -> new double[] {score.applyAsDouble(r), r.picked() ? 1 : 0})
                .sorted((a, b) -> Double.compare(a[0], b[0])).toArray(double[][]::new);
        long positives = rows.stream().filter(Row::picked).count();
        long negatives = rows.size() - positives;
        if (positives == 0 || negatives == 0) {
            return "n/a";
        }
        double rankSum = 0;
        for (int i = 0; i < ranked.length; ) {
            int j = i;
            while (j < ranked.length && ranked[j][0] == ranked[i][0]) {
                j++;
            }
            double rank = (i + 1 + j) / 2.0;   // mean of ranks i+1 .. j
            for (int k = i; k < j; k++) {
                if (ranked[k][1] == 1) {
                    rankSum += rank;
                }
            }
            i = j;
        }
        double u = rankSum - positives * (positives + 1) / 2.0;
        return String.format(Locale.ROOT, "%.3f", u / ((double) positives * negatives));
    }
}
