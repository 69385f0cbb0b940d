package io.baton.evaluation.runner;

import io.baton.evaluation.Arguments;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.EvaluationException;
import io.baton.evaluation.Table;
import io.baton.evaluation.baselines.DocumentSentences;
import io.baton.evaluation.baselines.GreedyOracle;
import io.baton.evaluation.baselines.LeadRanker;
import io.baton.evaluation.baselines.RandomRanker;
import io.baton.evaluation.baselines.Ranker;
import io.baton.evaluation.baselines.TextRankRanker;
import io.baton.evaluation.baselines.WordBudget;
import io.baton.evaluation.rouge.RougeScorer;
import io.baton.evaluation.rouge.RougeType;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench/quality rouge [options]}: runs evaluation documents through the summarization API
 * ({@code POST /v1/summaries} over HTTP, extractive, {@code "words": N}) and through the
 * baselines at the same word budget, scores every summary with ROUGE (rouge-score compatible,
 * Porter stemming, best of the references), and prints per set a table of mean F1 x 100 per
 * method; the same table goes to {@code <out>/quality-rouge.{md,csv}}. Its last row per set is
 * the {@link GreedyOracle}, which reads the references: the ceiling of extractive selection.
 *
 * <p>Options: {@code --gateway URL} (default: the standalone application started in this JVM on
 * a free port), {@code --model M} (default: the gateway's default model), {@code --words N}
 * (default: per set, the mean length of its reference summaries), {@code --limit N} documents per
 * set (default all), {@code --sets squality,qmsum}, {@code --seed S} of random-k (default 1),
 * {@code --data DIR} (default {@code data}, the repository's), {@code --models-dir DIR} (default
 * {@code models/zoo}), {@code --out DIR} (default {@code bench/out}), {@code --mode extractive|abstractive}
 * (default extractive; abstractive: the API's generated summary, cut at the word budget, scored one
 * sentence per line as the splitter of the baselines cuts it).
 */
public final class QualityRunner {

    static final Set<String> OPTIONS = Set.of("gateway", "model", "words", "limit", "sets", "seed", "data",
            "models-dir", "out", "mode");
    /** The method name of the summarization API in the tables. */
    static final String API_METHOD = "baton";
    /** The greedy oracle's row: not a method one could run, since it reads the references; the ceiling. */
    static final String ORACLE = "oracle";

    private final RougeScorer rouge = new RougeScorer(true);
    private final GreedyOracle oracle = new GreedyOracle();

    public static void main(String[] args) {
        Arguments.run("quality", args, OPTIONS, arguments -> new QualityRunner().run(arguments));
    }

    /** Runs the evaluation; returns per set the scores per method, in table order. */
    Map<EvalSet, Map<String, MethodScores>> run(Arguments args) {
        Path data = Path.of(args.string("data", DataDir.dir().toString()));
        Path out = Path.of(args.string("out", "bench/out"));
        String model = args.string("model", null);
        String mode = args.string("mode", SummaryRequest.EXTRACTIVE);
        if (!SummaryRequest.EXTRACTIVE.equals(mode) && !SummaryRequest.ABSTRACTIVE.equals(mode)) {
            throw new EvaluationException("bad-option", "--mode is extractive or abstractive, not " + mode);
        }
        int limit = args.positive("limit", Integer.MAX_VALUE);
        List<EvalSet> sets = new ArrayList<>();
        for (String name : args.string("sets", "squality,qmsum").split(",")) {
            sets.add(EvalSet.named(name));
        }
        List<Ranker> baselines = List.of(new LeadRanker(), new RandomRanker(args.positive("seed", 1)),
                new TextRankRanker());
        Map<EvalSet, Map<String, MethodScores>> results = new LinkedHashMap<>();
        Map<EvalSet, Integer> budgets = new LinkedHashMap<>();
        InProcessGateway local = null;
        try {
            String gateway = args.string("gateway", null);
            if (gateway == null) {
                System.err.println("quality: starting the standalone application in this JVM...");
                local = InProcessGateway.start(Path.of(args.string("models-dir", "models/zoo")));
                gateway = local.baseUrl();
            }
            SummaryApi api = new SummaryApi(gateway, Duration.ofMinutes(30));
            for (EvalSet set : sets) {
                List<EvalDocument> all = set.read(data, Integer.MAX_VALUE);
                int words = args.positive("words", EvalSet.meanReferenceWords(all));
                budgets.put(set, words);
                List<EvalDocument> documents = all.subList(0, Math.min(limit, all.size()));
                results.put(set, runSet(set, documents, api, model, mode,
                        new WordBudget(words, WordBudget.DEFAULT_MIN_WORDS), baselines));
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
        Table table = table(results, budgets);
        System.out.println();
        System.out.print(table.markdown());
        table.write(out, "quality-rouge", "ROUGE F1 x 100 (rouge-score compatible, Porter stemming, best of the"
                + " references), mean over documents; model " + (model == null ? "(gateway default)" : model) + ".");
        System.err.println("quality: wrote " + out.resolve("quality-rouge.md") + " and .csv");
        return results;
    }

    private Map<String, MethodScores> runSet(EvalSet set, List<EvalDocument> documents, SummaryApi api, String model,
                                             String mode, WordBudget budget, List<Ranker> baselines) {
        Map<String, MethodScores> scores = new LinkedHashMap<>();
        boolean abstractive = SummaryRequest.ABSTRACTIVE.equals(mode);
        String method = abstractive ? API_METHOD + " (abstractive)" : API_METHOD;
        scores.put(method, new MethodScores());
        baselines.forEach(b -> scores.put(b.name() + "-k", new MethodScores()));
        scores.put(ORACLE, new MethodScores());
        int n = 0;
        for (EvalDocument document : documents) {
            long started = System.nanoTime();
            List<String> references = document.references().stream().map(DocumentSentences::oneSentencePerLine).toList();
            SummaryResponse summary = api.summarize(document.text(), model, mode, budget.words());
            String apiSummary = abstractive ? DocumentSentences.oneSentencePerLine(summary.summary())
                    : String.join("\n", summary.sentences().stream().map(s -> DocumentSentences.collapse(s.text())).toList());
            scores.get(method).add(rouge.scoreMulti(references, apiSummary), DocumentSentences.words(apiSummary));
            List<DocumentSentences.Sentence> sentences = DocumentSentences.of(document.text());
            for (Ranker baseline : baselines) {
                String text = DocumentSentences.lines(budget.pick(sentences, baseline.rank(sentences)));
                scores.get(baseline.name() + "-k").add(rouge.scoreMulti(references, text), DocumentSentences.words(text));
            }
            String ceiling = DocumentSentences.lines(oracle.pick(sentences, document.references(), budget.words()));
            scores.get(ORACLE).add(rouge.scoreMulti(references, ceiling), DocumentSentences.words(ceiling));
            n++;
            System.err.printf(Locale.ROOT, "quality: %s %d/%d %s: %,d sentences, %,d tokens in %d segments, %.1f s%n",
                    set.label(), n, documents.size(), document.id(), sentences.size(), summary.stats().tokens(),
                    summary.stats().segments(), (System.nanoTime() - started) / 1e9);
        }
        return scores;
    }

    static Table table(Map<EvalSet, Map<String, MethodScores>> results, Map<EvalSet, Integer> budgets) {
        Table table = new Table("set", "method", "documents", "word budget", "mean words", "ROUGE-1", "ROUGE-2",
                "ROUGE-L", "ROUGE-Lsum");
        results.forEach((set, methods) -> methods.forEach((method, s) -> table.row(set.label(), method, s.documents(),
                budgets.get(set), String.format(Locale.ROOT, "%.1f", s.meanWords()), f(s.meanF1(RougeType.ROUGE1)),
                f(s.meanF1(RougeType.ROUGE2)), f(s.meanF1(RougeType.ROUGEL)), f(s.meanF1(RougeType.ROUGELSUM)))));
        return table;
    }

    private static String f(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
