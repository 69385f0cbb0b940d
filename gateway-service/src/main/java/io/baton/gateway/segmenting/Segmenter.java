package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayProperties;
import java.io.Reader;
import java.util.Iterator;

/**
 * Cuts a document into {@link Segment}s of at most {@code maxTokens} tokens, at sentence
 * boundaries where it can, streaming: segments are produced one at a time as they are asked for,
 * and a document of any length is never held whole.
 *
 * <p><b>The document's tokens.</b> The document is split into sentences
 * ({@link SentenceSplitter}) and each sentence is tokenised on its own ({@link TextTokenizer}, no
 * special tokens); the document's tokens are the sentences' tokens one after another. This is
 * what lets a document stream. It gives the tokens of the whole text tokenised at once:
 * <ul>
 *   <li>for the byte-level tokenizers of the tiny zoo models, trivially: the tokens of any text
 *       are its UTF-8 bytes;</li>
 *   <li>for a byte-level BPE with a GPT-2 style pre-tokenizer (the trained default
 *       {@code gemma2-small}), because the whitespace between two sentences starts the second
 *       sentence: a sentence ends on a character that is not whitespace and the next begins with
 *       whitespace, a place where GPT-2's pre-tokenizer always cuts (a word carries the one space
 *       before it, {@code " Next"}, and no pre-token holds a character and then whitespace), and
 *       BPE merges never cross pre-tokens. The whitespace run is tokenised as in the whole text,
 *       {@code "\n\n"} or {@code " Next"} alike. Where a sentence boundary has no whitespace,
 *       the two characters are of different kinds (letter, digit, other), another place where the
 *       pre-tokenizer always cuts ({@link SentenceSplitter}).</li>
 * </ul>
 * The exceptions are cuts forced by the window: a run of more than a window (65,536 characters)
 * with neither a sentence end nor whitespace is cut between two characters, and whitespace
 * between sentences that does not fit in a window with the sentence after it is cut into a
 * whitespace-only sentence (exact when the next sentence still gets the run's last character);
 * in theory also a cut with no whitespace inside one of GPT-2's contractions ({@code '|s}).
 * A pre-tokenizer of another kind (SentencePiece's {@code Metaspace}, which marks the start of
 * every text it is given) can differ near boundaries; decoding still gives back the text.
 *
 * <p><b>The rules.</b>
 * <ol>
 *   <li>Sentences are added to the current segment while they fit.</li>
 *   <li>A sentence that does not fit in what is left starts the next segment.</li>
 *   <li>A sentence longer than a segment starts a segment and is split at token boundaries: each
 *       part but the last fills a segment, and the last part is followed by the next sentences.
 *       A split falls between two characters, never between the tokens of one character (the
 *       bytes of one UTF-8 character), unless one character has more tokens than a segment.</li>
 *   <li>No token is dropped or repeated: the segments' tokens, in order, are the document's
 *       tokens, and their character spans cover the text exactly.</li>
 * </ol>
 *
 * <p><b>Memory.</b> An iteration holds one window of text ({@link SentenceSplitter}, about 64K
 * characters) and two sentences waiting for the next one, the tokens of one sentence, the
 * segment being filled, and the segments one long sentence completed; nothing grows with the
 * document.
 *
 * <p>A segmenter may be shared; each iteration must stay on one thread. It reads blocking, so in
 * reactive code run it on a scheduler for blocking work, e.g.
 * {@code Flux.fromIterable(() -> segmenter.segments(reader)).subscribeOn(Schedulers.boundedElastic())}.
 */
public final class Segmenter {

    /** The default maximum segment length, in tokens ({@link GatewayProperties.Segmenting#DEFAULT_MAX_TOKENS}). */
    public static final int DEFAULT_MAX_TOKENS = GatewayProperties.Segmenting.DEFAULT_MAX_TOKENS;

    private final TextTokenizer tokenizer;
    private final SentenceSplitter splitter;
    private final int maxTokens;

    /** A segmenter with the default sentence splitter. */
    public Segmenter(TextTokenizer tokenizer, int maxTokens) {
        this(tokenizer, new SentenceSplitter(), maxTokens);
    }

    /**
     * @param tokenizer the model's tokenizer; the caller keeps it open while iterating, and
     *                  closes it
     * @param splitter  the sentence splitter
     * @param maxTokens the most tokens one segment holds, at least 1
     */
    public Segmenter(TextTokenizer tokenizer, SentenceSplitter splitter, int maxTokens) {
        if (tokenizer == null || splitter == null) {
            throw new IllegalArgumentException("tokenizer and splitter are required");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, not " + maxTokens);
        }
        this.tokenizer = tokenizer;
        this.splitter = splitter;
        this.maxTokens = maxTokens;
    }

    /** The most tokens one segment holds. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * The segments of a document read from {@code text}, produced as they are asked for. The
     * caller closes the reader.
     *
     * @throws TextReadException     (from the iterator) when reading fails
     * @throws MalformedTextException (from the iterator) when the text holds an unpaired surrogate
     */
    public Iterator<Segment> segments(Reader text) {
        return new SegmentStream(splitter.sentences(text), tokenizer, maxTokens);
    }

    /** The segments of a document in memory, produced as they are asked for. */
    public Iterator<Segment> segments(CharSequence text) {
        return new SegmentStream(splitter.sentences(text), tokenizer, maxTokens);
    }
}
