package io.baton.gateway.segmenting;

import java.util.Arrays;
import java.util.Set;

/**
 * The rules {@link SentenceSplitter} adds to {@link java.text.BreakIterator}'s: a blank line
 * ends a sentence; a title or an initial before a name does not, and neither does a cut with no
 * whitespace between two characters of one kind ({@link #runsOn}).
 */
final class SentenceRules {

    /**
     * Abbreviations that stand before a name and almost never end a sentence. {@code Jr.},
     * {@code Sr.}, {@code etc.} and {@code Inc.} often do, so they are not here.
     */
    private static final Set<String> TITLES = Set.of(
            "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Prof", "Rev", "Revd", "Hon", "St", "Mt", "Fr",
            "Capt", "Cpt", "Col", "Gen", "Lt", "Sgt", "Cpl", "Adm", "Cmdr", "Gov", "Sen", "Rep", "Pres");

    private SentenceRules() {
    }

    /**
     * Where paragraphs start inside {@code [from, to)}: after a run of whitespace holding a blank
     * line (two or more line breaks; CR LF counts as one) that follows some text, at the first
     * character that is not whitespace. Positions are strictly inside the range, increasing.
     */
    static int[] paragraphStarts(CharSequence text, int from, int to) {
        int[] found = new int[4];
        int count = 0;
        boolean sawText = false;
        int i = from;
        while (i < to) {
            if (!Character.isWhitespace(text.charAt(i))) {
                sawText = true;
                i++;
                continue;
            }
            int runEnd = i;
            while (runEnd < to && Character.isWhitespace(text.charAt(runEnd))) {
                runEnd++;
            }
            if (sawText && runEnd < to && lineBreaks(text, i, runEnd) >= 2) {
                if (count == found.length) {
                    found = Arrays.copyOf(found, count * 2);
                }
                found[count++] = runEnd;
            }
            i = runEnd;
        }
        return Arrays.copyOf(found, count);
    }

    /**
     * Whether a sentence as {@code BreakIterator} cut it ends with a title ({@code Mr.},
     * {@code Dr.}, {@code St.} ...) or a single capital initial ({@code J.}) standing as a word,
     * so the name after it belongs to the same sentence. Not when a blank line follows.
     */
    static boolean endsWithAbbreviation(CharSequence sentence) {
        int end = sentence.length();
        while (end > 0 && Character.isWhitespace(sentence.charAt(end - 1))) {
            end--;
        }
        if (end == 0 || sentence.charAt(end - 1) != '.' || lineBreaks(sentence, end, sentence.length()) >= 2) {
            return false;
        }
        int wordEnd = end - 1;
        int wordStart = wordEnd;
        while (wordStart > 0 && Character.isLetter(sentence.charAt(wordStart - 1))) {
            wordStart--;
        }
        if (wordStart == wordEnd) {
            return false;
        }
        if (wordStart > 0) {
            char before = sentence.charAt(wordStart - 1);
            if (!Character.isWhitespace(before) && before != '(' && before != '"' && before != '\u201C') {
                return false;
            }
        }
        String word = sentence.subSequence(wordStart, wordEnd).toString();
        return TITLES.contains(word) || (word.length() == 1 && Character.isUpperCase(word.charAt(0)));
    }

    /**
     * Whether {@code sentence}, as {@code BreakIterator} and the blank-line rule cut it, runs on
     * into {@code next}: it ends with a title or an initial ({@link #endsWithAbbreviation}), or
     * no whitespace stands between them and the character before the cut and the one after it
     * are of one kind, both letters, both digits, or both neither ({@code ."}, {@code .|...}
     * where {@code BreakIterator} takes a quote or an ellipsis for the start of a sentence). A
     * tokenizer's pre-tokenizer keeps such characters in one piece ({@code ."} is one GPT-2
     * pre-token), so cutting between them would tokenise the text differently from the whole;
     * a cut between kinds ({@code 。|次}) is a pre-token boundary and stays.
     */
    static boolean runsOn(CharSequence sentence, CharSequence next) {
        if (sentence.length() == 0 || next.length() == 0) {
            return false;
        }
        if (endsWithAbbreviation(sentence)) {
            return true;
        }
        int before = Character.codePointBefore(sentence, sentence.length());
        int after = Character.codePointAt(next, 0);
        int kind = kind(before);
        return kind != SPACE && kind == kind(after);
    }

    private static final int SPACE = 0;
    private static final int LETTER = 1;
    private static final int DIGIT = 2;
    private static final int OTHER = 3;

    /** A character's kind as GPT-2's pre-tokenizer sees it: {@code \s}, {@code \p{L}}, {@code \p{N}} or else. */
    private static int kind(int codePoint) {
        if (codePoint < Character.MIN_SUPPLEMENTARY_CODE_POINT && SentenceReader.isSpace((char) codePoint)) {
            return SPACE;
        }
        if (Character.isLetter(codePoint)) {
            return LETTER;
        }
        int type = Character.getType(codePoint);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER
                ? DIGIT : OTHER;
    }

    private static int lineBreaks(CharSequence text, int from, int to) {
        int breaks = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\u2028' || c == '\u2029' || (c == '\r' && (i + 1 >= to || text.charAt(i + 1) != '\n'))) {
                breaks++;
            }
        }
        return breaks;
    }
}
