package io.baton.evaluation.rouge;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The Porter stemmer as NLTK's {@code nltk.stem.porter.PorterStemmer()} runs it by default (mode
 * {@code NLTK_EXTENSIONS}), which is what rouge-score stems with. Written here from the published
 * algorithm (Porter 1980) plus NLTK's documented departures from it:
 * <ul>
 *   <li>a few irregular forms map straight to their stem ({@code skies -> sky}, {@code dying -> die},
 *       {@code news -> news}, {@code innings -> inning}, ...);</li>
 *   <li>words of 1 or 2 letters are returned as they are;</li>
 *   <li>step 1a: a 4-letter word ending in {@code ies} becomes {@code ie} ({@code dies -> die});
 *       step 1b: {@code ied} becomes {@code ie} in a 4-letter word, {@code i} otherwise;</li>
 *   <li>step 1c: {@code y -> i} only after a consonant that is not the stem's only letter
 *       ({@code happy -> happi}, {@code enjoy} and {@code by} stay);</li>
 *   <li>step 2: {@code alli -> al} is tried first and the result goes through step 2 again;
 *       {@code bli -> ble} replaces {@code abli -> able}; extra rules {@code fulli -> ful} and
 *       {@code logi -> log} (the measure taken with the {@code l} in the stem);</li>
 *   <li>"ends consonant-vowel-consonant" also holds for a 2-letter stem vowel + consonant.</li>
 * </ul>
 * Input is expected in lower case (rouge-score lower-cases before stemming). Checked word by word
 * against NLTK's own stems of 12,400 words ({@code PorterStemmerTest}).
 */
public final class PorterStemmer {

    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"),
            Map.entry("dying", "die"), Map.entry("lying", "lie"), Map.entry("tying", "tie"),
            Map.entry("news", "news"),
            Map.entry("innings", "inning"), Map.entry("inning", "inning"),
            Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"),
            Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    /** A suffix rule: when the word ends with {@code suffix}, replace it if the stem passes. */
    private record Rule(String suffix, String replacement, Predicate<String> condition) {
    }

    /** The stem of a lower-case word. */
    public String stem(String word) {
        String irregular = IRREGULAR.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return word;
        }
        String stem = step1a(word);
        stem = step1b(stem);
        stem = step1c(stem);
        stem = step2(stem);
        stem = step3(stem);
        stem = step4(stem);
        stem = step5a(stem);
        return step5b(stem);
    }

    // --- the letter classes and the measure -------------------------------------------------

    private static boolean isConsonant(CharSequence word, int i) {
        char c = word.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(word, i - 1);
        }
        return true;
    }

    /** m in [C](VC)^m[V]: the number of vowel-consonant transitions. */
    static int measure(String stem) {
        int m = 0;
        for (int i = 1; i < stem.length(); i++) {
            if (!isConsonant(stem, i - 1) && isConsonant(stem, i)) {
                m++;
            }
        }
        return m;
    }

    private static boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!isConsonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String word) {
        int n = word.length();
        return n >= 2 && word.charAt(n - 1) == word.charAt(n - 2) && isConsonant(word, n - 1);
    }

    /** *o: ends consonant-vowel-consonant, the last not w, x or y (NLTK: or is vowel + consonant). */
    private static boolean endsCvc(String word) {
        int n = word.length();
        if (n >= 3 && isConsonant(word, n - 3) && !isConsonant(word, n - 2) && isConsonant(word, n - 1)) {
            char last = word.charAt(n - 1);
            return last != 'w' && last != 'x' && last != 'y';
        }
        return n == 2 && !isConsonant(word, 0) && isConsonant(word, 1);
    }

    private static String cut(String word, String suffix) {
        return word.substring(0, word.length() - suffix.length());
    }

    /**
     * The first rule whose suffix the word ends with decides: it applies if its condition holds,
     * and otherwise the word stays as it is (later rules are not tried). The suffix {@code "*d"}
     * stands for a double consonant.
     */
    private static String applyFirst(String word, Rule... rules) {
        for (Rule rule : rules) {
            String stem;
            if (rule.suffix().equals("*d")) {
                if (!endsDoubleConsonant(word)) {
                    continue;
                }
                stem = word.substring(0, word.length() - 2);
            } else if (word.endsWith(rule.suffix())) {
                stem = cut(word, rule.suffix());
            } else {
                continue;
            }
            return rule.condition() == null || rule.condition().test(stem) ? stem + rule.replacement() : word;
        }
        return word;
    }

    // --- the steps ------------------------------------------------------------------------------

    private static String step1a(String word) {
        if (word.endsWith("ies") && word.length() == 4) {
            return cut(word, "ies") + "ie";
        }
        return applyFirst(word,
                new Rule("sses", "ss", null),
                new Rule("ies", "i", null),
                new Rule("ss", "ss", null),
                new Rule("s", "", null));
    }

    private static String step1b(String word) {
        if (word.endsWith("ied")) {
            return cut(word, "ied") + (word.length() == 4 ? "ie" : "i");
        }
        if (word.endsWith("eed")) {
            String stem = cut(word, "eed");
            return measure(stem) > 0 ? stem + "ee" : word;
        }
        String stem = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (word.endsWith(suffix) && containsVowel(cut(word, suffix))) {
                stem = cut(word, suffix);
                break;
            }
        }
        if (stem == null) {
            return word;
        }
        char last = stem.isEmpty() ? 0 : stem.charAt(stem.length() - 1);
        return applyFirst(stem,
                new Rule("at", "ate", null),
                new Rule("bl", "ble", null),
                new Rule("iz", "ize", null),
                new Rule("*d", String.valueOf(last), s -> last != 'l' && last != 's' && last != 'z'),
                new Rule("", "e", s -> measure(s) == 1 && endsCvc(s)));
    }

    private static String step1c(String word) {
        return applyFirst(word, new Rule("y", "i", s -> s.length() > 1 && isConsonant(s, s.length() - 1)));
    }

    private static String step2(String word) {
        if (word.endsWith("alli") && positiveMeasure(cut(word, "alli"))) {
            return step2(cut(word, "alli") + "al");
        }
        Predicate<String> m = PorterStemmer::positiveMeasure;
        return applyFirst(word,
                new Rule("ational", "ate", m),
                new Rule("tional", "tion", m),
                new Rule("enci", "ence", m),
                new Rule("anci", "ance", m),
                new Rule("izer", "ize", m),
                new Rule("bli", "ble", m),
                new Rule("alli", "al", m),
                new Rule("entli", "ent", m),
                new Rule("eli", "e", m),
                new Rule("ousli", "ous", m),
                new Rule("ization", "ize", m),
                new Rule("ation", "ate", m),
                new Rule("ator", "ate", m),
                new Rule("alism", "al", m),
                new Rule("iveness", "ive", m),
                new Rule("fulness", "ful", m),
                new Rule("ousness", "ous", m),
                new Rule("aliti", "al", m),
                new Rule("iviti", "ive", m),
                new Rule("biliti", "ble", m),
                new Rule("fulli", "ful", m),
                new Rule("logi", "log", s -> positiveMeasure(word.substring(0, word.length() - 3))));
    }

    private static String step3(String word) {
        Predicate<String> m = PorterStemmer::positiveMeasure;
        return applyFirst(word,
                new Rule("icate", "ic", m),
                new Rule("ative", "", m),
                new Rule("alize", "al", m),
                new Rule("iciti", "ic", m),
                new Rule("ical", "ic", m),
                new Rule("ful", "", m),
                new Rule("ness", "", m));
    }

    private static String step4(String word) {
        Predicate<String> m = s -> measure(s) > 1;
        return applyFirst(word,
                new Rule("al", "", m),
                new Rule("ance", "", m),
                new Rule("ence", "", m),
                new Rule("er", "", m),
                new Rule("ic", "", m),
                new Rule("able", "", m),
                new Rule("ible", "", m),
                new Rule("ant", "", m),
                new Rule("ement", "", m),
                new Rule("ment", "", m),
                new Rule("ent", "", m),
                new Rule("ion", "", s -> measure(s) > 1 && !s.isEmpty()
                        && (s.charAt(s.length() - 1) == 's' || s.charAt(s.length() - 1) == 't')),
                new Rule("ou", "", m),
                new Rule("ism", "", m),
                new Rule("ate", "", m),
                new Rule("iti", "", m),
                new Rule("ous", "", m),
                new Rule("ive", "", m),
                new Rule("ize", "", m));
    }

    private static String step5a(String word) {
        if (word.endsWith("e")) {
            String stem = cut(word, "e");
            int m = measure(stem);
            if (m > 1 || m == 1 && !endsCvc(stem)) {
                return stem;
            }
        }
        return word;
    }

    private static String step5b(String word) {
        return applyFirst(word, new Rule("ll", "l", s -> measure(word.substring(0, word.length() - 1)) > 1));
    }
}
