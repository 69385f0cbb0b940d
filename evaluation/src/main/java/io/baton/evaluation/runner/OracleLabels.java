package io.baton.evaluation.runner;

import io.baton.evaluation.Arguments;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.Table;
import io.baton.evaluation.baselines.DocumentSentences;
import io.baton.evaluation.baselines.GreedyOracle;
import io.baton.evaluation.rouge.RougeScorer;
import io.baton.evaluation.rouge.RougeType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code bench/quality labels [options]}: the training labels of a learned sentence selector
 * (issue 17). For every document of the sets, the gateway's sentences and the ones the
 * {@link GreedyOracle} picks at the set's word budget, one JSON line per document in
 * {@code <out>/oracle-labels-<set>.jsonl}: {@code id}, {@code words} (the budget),
 * {@code sentences} (their texts, in document order, as {@link DocumentSentences} gives them),
 * {@code picked} (the oracle's sentence numbers) and the oracle summary's ROUGE F1
 * ({@code rouge1}, {@code rouge2}, {@code rougeL}). Prints per set the oracle's mean ROUGE.
 *
 * <p>Options: {@code --sets} (default {@code squality-train,qmsum-train}; the training sets are
 * in the shared data folder, not the repository's: {@code --data DIR}), {@code --words N}
 * (default: per set, the mean length of its reference summaries), {@code --limit N} documents per
 * set, {@code --out DIR} (default {@code bench/out}).
 */
public final class OracleLabels {

    static final Set<String> OPTIONS = Set.of("sets", "words", "limit", "data", "out");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RougeScorer rouge = new RougeScorer(true);
    private final GreedyOracle oracle = new GreedyOracle();

    public static void main(String[] args) {
        Arguments.run("labels", args, OPTIONS, arguments -> new OracleLabels().run(arguments));
    }

    /** Writes the label files; returns the table it printed. */
    Table run(Arguments args) {
        Path data = Path.of(args.string("data", DataDir.dir().toString()));
        Path out = Path.of(args.string("out", "bench/out"));
        int limit = args.positive("limit", Integer.MAX_VALUE);
        Table table = new Table("set", "documents", "word budget", "sentences per document", "picked per document",
                "mean words", "ROUGE-1", "ROUGE-2", "ROUGE-L");
        for (String name : args.string("sets", "squality-train,qmsum-train").split(",")) {
            EvalSet set = EvalSet.named(name);
            List<EvalDocument> all = set.read(data, Integer.MAX_VALUE);
            int words = args.positive("words", EvalSet.meanReferenceWords(all));
            List<EvalDocument> documents = all.subList(0, Math.min(limit, all.size()));
            Path file = out.resolve("oracle-labels-" + set.label() + ".jsonl");
            double[] sums = new double[3];
            long sentenceCount = 0;
            long pickedCount = 0;
            long wordCount = 0;
            try {
                Files.createDirectories(out);
                try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    for (EvalDocument document : documents) {
                        List<DocumentSentences.Sentence> sentences = DocumentSentences.of(document.text());
                        List<DocumentSentences.Sentence> picked = oracle.pick(sentences, document.references(), words);
                        String summary = DocumentSentences.lines(picked);
                        List<String> references = document.references().stream()
                                .map(DocumentSentences::oneSentencePerLine).toList();
                        var scores = rouge.scoreMulti(references, summary);
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("id", document.id());
                        row.put("words", words);
                        row.put("sentences", sentences.stream().map(DocumentSentences.Sentence::text).toList());
                        row.put("picked", picked.stream().map(DocumentSentences.Sentence::index).toList());
                        row.put("rouge1", scores.get(RougeType.ROUGE1).f1());
                        row.put("rouge2", scores.get(RougeType.ROUGE2).f1());
                        row.put("rougeL", scores.get(RougeType.ROUGEL).f1());
                        writer.write(JSON.writeValueAsString(row));
                        writer.write('\n');
                        sums[0] += scores.get(RougeType.ROUGE1).f1();
                        sums[1] += scores.get(RougeType.ROUGE2).f1();
                        sums[2] += scores.get(RougeType.ROUGEL).f1();
                        sentenceCount += sentences.size();
                        pickedCount += picked.size();
                        wordCount += DocumentSentences.words(summary);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
            int n = Math.max(documents.size(), 1);
            table.row(set.label(), documents.size(), words, f((double) sentenceCount / n, 1),
                    f((double) pickedCount / n, 1), f((double) wordCount / n, 1), f(100 * sums[0] / n, 2),
                    f(100 * sums[1] / n, 2), f(100 * sums[2] / n, 2));
            System.err.println("labels: wrote " + file);
        }
        System.out.print(table.markdown());
        return table;
    }

    private static String f(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
