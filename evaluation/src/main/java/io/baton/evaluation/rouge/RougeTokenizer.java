package io.baton.evaluation.rouge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * rouge-score's {@code DefaultTokenizer}: lower-case, every character outside {@code [a-z0-9]}
 * is a separator, tokens are the runs of {@code [a-z0-9]}, and with stemming each token longer
 * than 3 characters is replaced by its Porter stem ({@link PorterStemmer}, NLTK's variant). So
 * {@code don't} is {@code don}, {@code t}; {@code café} is {@code caf}; no stop words are removed.
 */
public final class RougeTokenizer {

    private final PorterStemmer stemmer;

    /** A tokenizer that stems (rouge-score's {@code use_stemmer=True}) or not. */
    public RougeTokenizer(boolean stem) {
        this.stemmer = stem ? new PorterStemmer() : null;
    }

    public boolean stems() {
        return stemmer != null;
    }

    /** The tokens of {@code text}. */
    public List<String> tokenize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = lower.length();
        while (i < n) {
            while (i < n && !isTokenChar(lower.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && isTokenChar(lower.charAt(i))) {
                i++;
            }
            if (i > start) {
                String token = lower.substring(start, i);
                tokens.add(stemmer != null && token.length() > 3 ? stemmer.stem(token) : token);
            }
        }
        return tokens;
    }

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }
}
