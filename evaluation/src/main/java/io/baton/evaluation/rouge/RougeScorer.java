package io.baton.evaluation.rouge;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum as Google's rouge-score computes them
 * ({@code rouge_scorer.RougeScorer(types, use_stemmer).score(target, prediction)}); the
 * definition this follows, line by line, is {@code data/eval/rouge/ROUGE_DEFINITION.md}.
 * <ul>
 *   <li>ROUGE-N: clipped n-gram counts; precision over the prediction's n-grams, recall over
 *       the reference's.</li>
 *   <li>ROUGE-L: LCS of the whole token sequences.</li>
 *   <li>ROUGE-Lsum: sentences are the lines of a text (empty lines dropped); for each reference
 *       line the union of its LCS positions against every prediction line, each union token
 *       counted only while both texts still have an unused occurrence of it.</li>
 *   <li>Several references: for each type separately, the score of the reference with the
 *       highest F1 (rouge-score's {@code score_multi}).</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class RougeScorer {

    private final RougeTokenizer tokenizer;

    public RougeScorer(boolean stem) {
        this.tokenizer = new RougeTokenizer(stem);
    }

    /** Every type of {@code prediction} against one {@code reference}. */
    public Map<RougeType, Score> score(String reference, String prediction) {
        List<String> ref = tokenizer.tokenize(reference);
        List<String> pred = tokenizer.tokenize(prediction);
        Map<RougeType, Score> scores = new EnumMap<>(RougeType.class);
        scores.put(RougeType.ROUGE1, ngrams(ref, pred, 1));
        scores.put(RougeType.ROUGE2, ngrams(ref, pred, 2));
        scores.put(RougeType.ROUGEL, lcs(ref, pred));
        scores.put(RougeType.ROUGELSUM, summaryLcs(lines(reference), lines(prediction)));
        return scores;
    }

    /** Every type against several references: per type, the reference with the highest F1 (the first on ties). */
    public Map<RougeType, Score> scoreMulti(List<String> references, String prediction) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("no references");
        }
        Map<RougeType, Score> best = new EnumMap<>(RougeType.class);
        for (String reference : references) {
            score(reference, prediction).forEach((type, s) -> best.merge(type, s, (a, b) -> b.f1() > a.f1() ? b : a));
        }
        return best;
    }

    // --- ROUGE-N --------------------------------------------------------------------------------

    static Score ngrams(List<String> ref, List<String> pred, int n) {
        Map<List<String>, Integer> refCounts = counts(ref, n);
        Map<List<String>, Integer> predCounts = counts(pred, n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> e : refCounts.entrySet()) {
            overlap += Math.min(e.getValue(), predCounts.getOrDefault(e.getKey(), 0));
        }
        return Score.of(overlap, Math.max(pred.size() - n + 1, 0), Math.max(ref.size() - n + 1, 0));
    }

    private static Map<List<String>, Integer> counts(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    // --- ROUGE-L --------------------------------------------------------------------------------

    static Score lcs(List<String> ref, List<String> pred) {
        if (ref.isEmpty() || pred.isEmpty()) {
            return Score.ZERO;
        }
        int length = table(ref, pred)[ref.size()][pred.size()];
        return Score.of(length, pred.size(), ref.size());
    }

    /** The LCS table: t[i][j] = LCS length of ref[0, i) and can[0, j). */
    private static int[][] table(List<String> ref, List<String> can) {
        int[][] t = new int[ref.size() + 1][can.size() + 1];
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= can.size(); j++) {
                t[i][j] = ref.get(i - 1).equals(can.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t;
    }

    /** Positions in {@code ref} of one LCS with {@code can}, found as rouge-score's {@code _backtrack_norec} does. */
    private static List<Integer> lcsPositions(List<String> ref, List<String> can) {
        int[][] t = table(ref, can);
        List<Integer> positions = new ArrayList<>();
        int i = ref.size();
        int j = can.size();
        while (i > 0 && j > 0) {
            if (ref.get(i - 1).equals(can.get(j - 1))) {
                positions.add(0, i - 1);
                i--;
                j--;
            } else if (t[i][j - 1] > t[i - 1][j]) {
                j--;
            } else {
                i--;
            }
        }
        return positions;
    }

    // --- ROUGE-Lsum ---------------------------------------------------------------------------

    private List<List<String>> lines(String text) {
        List<List<String>> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(tokenizer.tokenize(line));
            }
        }
        return lines;
    }

    static Score summaryLcs(List<List<String>> refLines, List<List<String>> predLines) {
        int m = refLines.stream().mapToInt(List::size).sum();
        int n = predLines.stream().mapToInt(List::size).sum();
        if (m == 0 || n == 0) {
            return Score.ZERO;
        }
        Map<String, Integer> refLeft = new HashMap<>();
        Map<String, Integer> predLeft = new HashMap<>();
        refLines.forEach(line -> line.forEach(t -> refLeft.merge(t, 1, Integer::sum)));
        predLines.forEach(line -> line.forEach(t -> predLeft.merge(t, 1, Integer::sum)));
        int hits = 0;
        for (List<String> ref : refLines) {
            TreeSet<Integer> union = new TreeSet<>();
            for (List<String> pred : predLines) {
                union.addAll(lcsPositions(ref, pred));
            }
            for (int position : union) {
                String token = ref.get(position);
                if (predLeft.getOrDefault(token, 0) > 0 && refLeft.getOrDefault(token, 0) > 0) {
                    hits++;
                    predLeft.merge(token, -1, Integer::sum);
                    refLeft.merge(token, -1, Integer::sum);
                }
            }
        }
        return Score.of(hits, n, m);
    }
}
