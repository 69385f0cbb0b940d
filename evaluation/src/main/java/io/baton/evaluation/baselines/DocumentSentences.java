package io.baton.evaluation.baselines;

import io.baton.gateway.segmenting.SentenceSplitter;
import java.util.ArrayList;
import java.util.List;

/**
 * A document's sentences as every method picks from them: the gateway's {@link SentenceSplitter}
 * (the same sentences {@code POST /v1/summaries} chooses among), each without its surrounding
 * whitespace, with its word count as the gateway counts words (runs of non-whitespace).
 */
public final class DocumentSentences {

    private static final SentenceSplitter SPLITTER = new SentenceSplitter();

    /** One sentence: its number in the document, its text, its words. */
    public record Sentence(int index, String text, int words) {
    }

    private DocumentSentences() {
    }

    /** The sentences of {@code text} with at least one non-whitespace character, in order. */
    public static List<Sentence> of(String text) {
        List<Sentence> sentences = new ArrayList<>();
        SPLITTER.sentences(text).forEachRemaining(s -> {
            String stripped = s.text().strip();
            if (!stripped.isEmpty()) {
                sentences.add(new Sentence(sentences.size(), stripped, words(stripped)));
            }
        });
        return sentences;
    }

    /** Words as the gateway's word budget counts them: runs of non-whitespace characters. */
    public static int words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
    }

    /**
     * A text as ROUGE-Lsum wants it: one sentence per line (whitespace inside a sentence
     * collapsed to single spaces), sentences found by the same splitter.
     */
    public static String oneSentencePerLine(String text) {
        return lines(of(text));
    }

    /** Sentences as a summary for ROUGE: one per line, whitespace collapsed, in the given order. */
    public static String lines(List<Sentence> sentences) {
        return String.join("\n", sentences.stream().map(s -> collapse(s.text())).toList());
    }

    /** Whitespace runs as single spaces. */
    public static String collapse(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
