package io.baton.gateway.summarize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.gateway.segmenting.TextTokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounded selection against the selection over all sentences as it was ({@link LegacySelection}),
 * with the segments of the real tokenizers and seeded synthetic sentence vectors.
 */
class CandidatePoolTest {

    /** The default of {@code baton.summaries.max-candidates}. */
    static final int DEFAULT_CAPACITY = 2048;
    static final MmrSelector.Weights WEIGHTS = new MmrSelector.Weights(0.3, 0.5, 0.25);
    static final int MIN_WORDS = 12;

    static TextTokenizer trained;
    static TextTokenizer bytes;

    @BeforeAll
    static void load() {
        trained = TextTokenizer.load(SelectionDocuments.zoo().resolve("gemma2-small"));
        bytes = TextTokenizer.load(SelectionDocuments.zoo().resolve("gemma2-tiny"));
    }

    @AfterAll
    static void close() {
        trained.close();
        bytes.close();
    }

    /** Both selections over one document; {@code maxTokens} per segment. */
    record Run(LegacySelection legacy, SentenceTable table, String text) {

        static Run of(TextTokenizer tokenizer, int maxTokens, String text, int capacity, long seed) {
            LegacySelection legacy = new LegacySelection();
            SentenceTable table = new SentenceTable(new CandidatePool(text, capacity, MIN_WORDS, WEIGHTS));
            SelectionDocuments.segments(tokenizer, maxTokens, text, 256, seed, (segment, vectors) -> {
                legacy.add(segment, vectors);
                table.add(segment, vectors);
            });
            table.finish();
            return new Run(legacy, table, text);
        }

        List<CandidatePool.Choice> old(int sentences, int words) {
            return legacy.choose(text, WEIGHTS, MIN_WORDS, sentences, words);
        }

        List<CandidatePool.Choice> bounded(int sentences, int words) {
            return table.pool().choose(sentences, words);
        }
    }

    @Test
    void everyEvaluationDocumentGetsExactlyTheOldSummary() {
        int largest = 0;
        int documents = 0;
        for (String set : List.of("squality/squality_dev_plot.jsonl", "qmsum/qmsum_val_general.jsonl")) {
            int budget = set.startsWith("squality") ? 418 : 109;
            for (String text : SelectionDocuments.evalSet(set)) {
                Run run = Run.of(trained, 256, text, DEFAULT_CAPACITY, documents);
                largest = Math.max(largest, (int) run.table.pool().sentences());
                assertEquals(run.old(Integer.MAX_VALUE, budget), run.bounded(Integer.MAX_VALUE, budget),
                        set + " #" + documents + ", words " + budget);
                assertEquals(run.old(5, 0), run.bounded(5, 0), set + " #" + documents + ", 5 sentences");
                documents++;
            }
        }
        assertEquals(60, documents);
        assertTrue(largest <= DEFAULT_CAPACITY, "the largest evaluation document has " + largest
                + " sentences, more than the default pool holds");
        assertTrue(largest > DEFAULT_CAPACITY / 2, "largest " + largest);
    }

    @Test
    void sentencesSplitAcrossSegmentsAndADocumentThatFillsThePoolExactlyAreExact() {
        // 24-token segments of a byte-level tokenizer split most sentences; 300 sentences fill a pool of 300.
        String text = SelectionDocuments.synthetic(300, 400, 1);
        Run run = Run.of(bytes, 24, text, 300, 2);
        assertEquals(300, run.table.pool().sentences());
        assertEquals(300, run.table.pool().size());
        assertEquals(run.old(Integer.MAX_VALUE, 200), run.bounded(Integer.MAX_VALUE, 200));
        assertEquals(run.old(8, 0), run.bounded(8, 0));
    }

    @Test
    void beyondThePoolTheKeptSentencesRelevanceIsTheWholeDocumentsAndThePoolStaysBounded() {
        int capacity = 128;
        int sentences = 1500;
        List<String> words = SelectionDocuments.words(300, 3);
        Set<Integer> buckets = new HashSet<>();
        words.forEach(w -> buckets.add(TermVector.bucket(w)));
        assertEquals(words.size(), buckets.size(), "the test's words share no bucket, so hashing changes nothing");
        String text = SelectionDocuments.synthetic(sentences, 300, 3);

        LegacySelection legacy = new LegacySelection();
        CandidatePool pool = new CandidatePool(text, capacity, MIN_WORDS, WEIGHTS);
        SentenceTable table = new SentenceTable(pool);
        List<Integer> sizes = new ArrayList<>();
        SelectionDocuments.segments(trained, 256, text, 256, 4, (segment, vectors) -> {
            legacy.add(segment, vectors);
            table.add(segment, vectors);
            sizes.add(pool.size());
        });
        table.finish();
        assertEquals(sentences, pool.sentences());
        assertTrue(sizes.stream().allMatch(size -> size <= capacity), "pool sizes " + sizes);

        double[] relevance = legacy.relevance(text, WEIGHTS);
        List<int[]> spans = spans(text);
        List<CandidatePool.Choice> picks = pool.choose(Integer.MAX_VALUE, 150);
        List<CandidatePool.Choice> old = legacy.choose(text, WEIGHTS, MIN_WORDS, Integer.MAX_VALUE, 150);
        for (CandidatePool.Choice pick : picks) {
            int index = indexOf(spans, pick);
            assertEquals(relevance[index], pick.relevance(), 1e-9, "sentence " + index);
        }
        assertEquals(old, sameSpansWithNewRelevance(old, picks), "the same sentences are picked");
    }

    /** A learned relevance over 256-component vectors with seeded weights, and MMR trade-off 0.5. */
    static LearnedRelevance learned(long seed) {
        java.util.Random random = new java.util.Random(seed);
        double[] vector = random.doubles(256, -1, 1).toArray();
        return new LearnedRelevance("test", new double[] {0.1, -0.2, 2.5, 0.5, 2.9}, new double[] {1, 1, 1, 0.3, 0.8},
                new double[] {0.2, 0.6, 0.3, -0.4, 0.5}, vector, -3, -3.2, 1.4, 0.5, -1, null);
    }

    @Test
    void withALearnedRelevanceThePicksAreMmrOverItAndTheFeaturesCarryIt() {
        String text = SelectionDocuments.synthetic(400, 300, 5);
        LearnedRelevance learned = learned(6);
        CandidatePool pool = new CandidatePool(text, DEFAULT_CAPACITY, MIN_WORDS, WEIGHTS, learned);
        SentenceTable table = new SentenceTable(pool);
        SelectionDocuments.segments(trained, 256, text, 256, 7, table::add);
        table.finish();
        List<SentenceFeatures> features = pool.features();
        List<CandidatePool.Choice> picks = pool.choose(Integer.MAX_VALUE, 150);
        int[] replayed = new SelectionReplay(learned, learned.lambda(), MIN_WORDS, MIN_WORDS).pick(features, 0, 150);
        assertEquals(picks.size(), replayed.length);
        for (int i = 0; i < picks.size(); i++) {
            SentenceFeatures f = features.get(replayed[i]);
            assertEquals(f.start(), picks.get(i).start(), "pick " + i);
            // The formula of LearnedRelevance's comment, written out here.
            double[] x = {f.zModel(), f.zLexical(), f.zLength(), f.position(), Math.log(f.words())};
            double logit = learned.bias() + MmrSelector.dot(learned.vectorWeights(), f.centred());
            for (int k = 0; k < x.length; k++) {
                logit += learned.weights()[k] * (x[k] - learned.mean()[k]) / learned.sd()[k];
            }
            assertEquals((logit - learned.center()) / learned.scale(), picks.get(i).relevance(), 1e-12);
            assertEquals((double) f.start() / text.length(), f.position(), 0);
        }
        List<CandidatePool.Choice> centrality = new CandidatePool(text, DEFAULT_CAPACITY, MIN_WORDS, WEIGHTS)
                .choose(Integer.MAX_VALUE, 150);
        assertTrue(!centrality.equals(picks), "the learned relevance changes what is picked");
    }

    @Test
    void beyondThePoolALearnedRelevanceIsTheWholeDocumentsToo() {
        String text = SelectionDocuments.synthetic(1500, 300, 3);   // words of seed 3 share no hash bucket (above)
        LearnedRelevance learned = learned(9);
        CandidatePool bounded = new CandidatePool(text, 128, MIN_WORDS, WEIGHTS, learned);
        CandidatePool whole = new CandidatePool(text, 4096, MIN_WORDS, WEIGHTS, learned);
        SentenceTable a = new SentenceTable(bounded);
        SentenceTable b = new SentenceTable(whole);
        SelectionDocuments.segments(trained, 256, text, 256, 10, (segment, vectors) -> {
            a.add(segment, vectors);
            b.add(segment, vectors);
        });
        a.finish();
        b.finish();
        assertTrue(bounded.size() <= 128);
        List<SentenceFeatures> all = whole.features();
        List<CandidatePool.Choice> picks = bounded.choose(Integer.MAX_VALUE, 150);
        assertTrue(picks.size() > 3, "picks " + picks);
        for (CandidatePool.Choice pick : picks) {
            SentenceFeatures f = all.stream().filter(x -> x.start() == pick.start()).findFirst().orElseThrow();
            assertEquals(f.relevance(), pick.relevance(), 1e-9, "sentence at " + pick.start());
        }
    }

    /** {@code old}'s spans with the relevance {@code picks} gives them (to compare spans only, relevance to 1e-9 above). */
    private static List<CandidatePool.Choice> sameSpansWithNewRelevance(List<CandidatePool.Choice> old,
                                                                        List<CandidatePool.Choice> picks) {
        if (old.size() != picks.size()) {
            return picks;
        }
        List<CandidatePool.Choice> out = new ArrayList<>();
        for (int i = 0; i < old.size(); i++) {
            CandidatePool.Choice p = picks.get(i);
            boolean close = Math.abs(p.relevance() - old.get(i).relevance()) < 1e-9;
            out.add(new CandidatePool.Choice(p.start(), p.end(), close ? old.get(i).relevance() : p.relevance()));
        }
        return out;
    }

    private static List<int[]> spans(String text) {
        return new io.baton.gateway.segmenting.SentenceSplitter().split(text).stream()
                .map(s -> CandidatePool.stripped(text, s.start(), s.end())).toList();
    }

    private static int indexOf(List<int[]> spans, CandidatePool.Choice pick) {
        for (int i = 0; i < spans.size(); i++) {
            if (spans.get(i)[0] == pick.start() && spans.get(i)[1] == pick.end()) {
                return i;
            }
        }
        throw new AssertionError("no sentence at " + pick);
    }
}
